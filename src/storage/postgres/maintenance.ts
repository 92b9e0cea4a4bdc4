/**
 * The Postgres side of maintenance: rescue candidates, promotion of due jobs, retention
 * purges, and the leases that keep one server at a time on each of them. One statement of
 * `sql/postgres/queries/` per verb.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { promotedEntry } from "../../transitions.ts";
import type { Queries } from "./queries.ts";
import { rowToJob } from "./rows.ts";
import type { Run } from "./run.ts";

/** Processing jobs whose lock lapsed before `now`. */
export async function findExpiredLocks(
  run: Run,
  q: Queries,
  p: { now: Date; limit: number },
): Promise<Job[]> {
  if (p.limit <= 0) return [];
  const rows = await run("findExpiredLocks", q.findExpiredLocks, [p.now, Math.trunc(p.limit)]);
  return rows.map(rowToJob);
}

/** Move due Scheduled / AwaitingRetry jobs to Enqueued (NOTIFYing `channel`); how many moved. */
export async function promoteDue(
  run: Run,
  q: Queries,
  channel: string,
  p: { now: Date; limit: number },
): Promise<number> {
  if (p.limit <= 0) return 0;
  const rows = await run("promoteDue", q.promoteDue, [
    p.now,
    Math.trunc(p.limit),
    promotedEntry(p.now),
    channel,
  ]);
  return rows[0].promoted as number;
}

/** Delete final jobs whose expiry passed; how many. */
export function purgeExpired(
  run: Run,
  q: Queries,
  p: { now: Date; limit: number },
): Promise<number> {
  return purge(run, "purgeExpired", q.purgeExpired, p.now, p.limit);
}

/** Delete final jobs finished before `before`; how many. */
export function purgeFinished(
  run: Run,
  q: Queries,
  p: { before: Date; limit: number },
): Promise<number> {
  return purge(run, "purgeFinished", q.purgeFinished, p.before, p.limit);
}

// Both purges: delete up to `limit` jobs of statement `text` by time `at`.
async function purge(
  run: Run,
  op: string,
  text: string,
  at: Date,
  limit: number,
): Promise<number> {
  if (limit <= 0) return 0;
  return (await run(op, text, [at, Math.trunc(limit)]))[0].purged as number;
}

/** Take or renew lease `name` for `holder`; whether it is held now. */
export async function acquireLease(
  run: Run,
  q: Queries,
  p: { name: string; holder: string; ttlMs: number; now: Date },
): Promise<boolean> {
  const rows = await run("acquireLease", q.acquireLease, [
    p.name,
    p.holder,
    new Date(p.now.getTime() + p.ttlMs),
    p.now,
  ]);
  return rows.length > 0;
}

/** Release lease `name` if `holder` holds it. */
export async function releaseLease(
  run: Run,
  q: Queries,
  p: { name: string; holder: string },
): Promise<void> {
  await run("releaseLease", q.releaseLease, [p.name, p.holder]);
}
