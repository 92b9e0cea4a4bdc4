/**
 * The job verbs of the server's hot path in SQLite (fetch, finish, heartbeat, progress),
 * each run by `SqliteStorage` inside one write transaction. `emit` queues a signal that is
 * published with the transaction and delivered once it committed.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { JobState } from "../../job_state.ts";
import { expiredOnWrite, fetchedEntry, type TransitionItem } from "../../transitions.ts";
import { sortFetched, storedProgress } from "../contract_rules.ts";
import type { StorageSignal } from "../storage.ts";
import type { Connection } from "./connection.ts";
import { CountDeltas } from "./job_counts.ts";
import { QUERIES } from "./queries.ts";
import { rowToJob, toJson, toMs } from "./rows.ts";

/** Queues a signal to publish with the current transaction. */
export type Emit = (signal: StorageSignal) => void;

/** See `Storage.fetchAndLock`: each queue in turn, in strict order. */
export function fetchAndLock(conn: Connection, p: {
  queues: readonly string[];
  limit: number;
  serverName: string;
  lockTtlMs: number;
  now: Date;
}): Job[] {
  const entry = JSON.stringify(fetchedEntry(p.serverName, p.now));
  const until = p.now.getTime() + p.lockTtlMs;
  const stmt = conn.stmt(QUERIES.fetchAndLock);
  const counts = new CountDeltas();
  const jobs: Job[] = [];
  for (const queue of p.queues) {
    const take = p.limit - jobs.length;
    const rows = stmt.all(queue, take, p.now.getTime(), p.serverName, until, entry);
    for (const r of rows) jobs.push(rowToJob(r));
    counts.add(queue, JobState.Enqueued, -rows.length);
    counts.add(queue, JobState.Processing, rows.length);
    if (jobs.length >= p.limit) break;
  }
  counts.write(conn);
  return sortFetched(jobs, p.queues);
}

/** See `Storage.transition`: each item guarded, in order. */
export function transition(
  conn: Connection,
  p: { items: readonly TransitionItem[]; now: Date },
  emit: Emit,
): boolean[] {
  const ready = new Set<string>();
  const counts = new CountDeltas();
  const stmt = conn.stmt(QUERIES.transition);
  const applied = p.items.map(({ id, guard, next }) => {
    // A job that ends already expired is deleted rather than stored (see expiredOnWrite).
    const expired = expiredOnWrite(next, p.now);
    const lockGuard = [guard.lockedBy ?? null, guard.lockExpired ? 1 : 0, p.now.getTime()];
    const row = expired
      ? conn.stmt(QUERIES.transitionExpired).get(id, guard.state, ...lockGuard)
      : stmt.get(
        id,
        guard.state,
        ...lockGuard,
        next.state,
        next.runAt.getTime(),
        next.attempts,
        toJson(next.result),
        toJson(next.error),
        toMs(next.startedAt),
        toMs(next.finishedAt),
        toMs(next.expiresAt),
        JSON.stringify(next.entry),
      );
    if (!row) return false;
    const queue = row.queue as string;
    if (expired) counts.add(queue, guard.state, -1);
    else counts.move(queue, guard.state, next.state);
    if (next.state === JobState.Enqueued) ready.add(queue);
    if (guard.state === JobState.Processing && next.state === JobState.Deleted) {
      emit({ kind: "cancelled", id });
    }
    return true;
  });
  counts.write(conn);
  emitReady(ready, emit);
  return applied;
}

/** See `Storage.extendLocks`: returns the ids whose lock the server no longer holds. */
export function extendLocks(conn: Connection, p: {
  ids: readonly string[];
  serverName: string;
  lockTtlMs: number;
  now: Date;
}): string[] {
  const until = p.now.getTime() + p.lockTtlMs;
  const stmt = conn.stmt(QUERIES.extendLock);
  return p.ids.filter((id) => Number(stmt.run(id, p.serverName, until).changes) === 0);
}

/** See `Storage.setProgress`: whether the server still held the job. */
export function setProgress(
  conn: Connection,
  p: { id: string; serverName: string; progress: number },
): boolean {
  const run = conn.stmt(QUERIES.setProgress).run(p.id, p.serverName, storedProgress(p.progress));
  return Number(run.changes) === 1;
}

/** Emit one `ready` signal per queue. */
export function emitReady(queues: Iterable<string>, emit: Emit): void {
  for (const queue of queues) emit({ kind: "ready", queue });
}
