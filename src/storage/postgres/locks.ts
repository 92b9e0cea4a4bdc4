/**
 * The Postgres verbs of locked jobs: fetching (locking) the next jobs of some queues,
 * extending the locks a server holds, and the progress it reports while it holds one.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { fetchedEntry } from "../../transitions.ts";
import { sortFetched, storedProgress } from "../contract_rules.ts";
import type { Queries } from "./queries.ts";
import { fetchedRowToJob } from "./rows.ts";
import type { Run } from "./run.ts";

/** Lock up to `limit` ready jobs of `queues` for `serverName`, in fetch order. */
export async function fetchAndLock(
  run: Run,
  q: Queries,
  p: { queues: readonly string[]; limit: number; serverName: string; lockTtlMs: number; now: Date },
): Promise<Job[]> {
  const { queues, limit, serverName, now } = p;
  if (queues.length === 0 || limit <= 0) return [];
  const lockedUntil = new Date(now.getTime() + p.lockTtlMs);
  const rows = await run("fetchAndLock", q.fetchAndLock, [
    queues,
    Math.trunc(limit),
    now,
    serverName,
    lockedUntil,
    fetchedEntry(serverName, now),
  ]);
  const fields = { now, serverName, lockedUntil };
  return sortFetched(rows.map((r) => fetchedRowToJob(r, fields)), queues);
}

/** Extend the locks `serverName` holds on `ids`; the ids it no longer holds. */
export async function extendLocks(
  run: Run,
  q: Queries,
  p: { ids: readonly string[]; serverName: string; lockTtlMs: number; now: Date },
): Promise<string[]> {
  if (p.ids.length === 0) return [];
  const rows = await run("extendLocks", q.extendLocks, [
    p.ids,
    p.serverName,
    new Date(p.now.getTime() + p.lockTtlMs),
  ]);
  const held = new Set(rows.map((r) => r.id as string));
  return p.ids.filter((id) => !held.has(id));
}

/** Store the progress of a job `serverName` holds; whether it still held it. */
export async function setProgress(
  run: Run,
  q: Queries,
  p: { id: string; serverName: string; progress: number },
): Promise<boolean> {
  const rows = await run("setProgress", q.setProgress, [
    p.id,
    p.serverName,
    storedProgress(p.progress),
  ]);
  return rows.length > 0;
}
