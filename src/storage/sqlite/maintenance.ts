/**
 * The SQLite side of maintenance: rescue candidates, promotion of due jobs, retention purges
 * (each keeping the job counts in step), and the named leases that elect one leader for
 * each of them. Write verbs run in `SqliteStorage`'s write transaction.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { JobState } from "../../job_state.ts";
import { promotedEntry } from "../../transitions.ts";
import type { Connection } from "./connection.ts";
import { CountDeltas } from "./job_counts.ts";
import { type Emit, emitReady } from "./job_verbs.ts";
import { QUERIES } from "./queries.ts";
import { rowToJob } from "./rows.ts";

/** See `Storage.findExpiredLocks`. */
export function findExpiredLocks(conn: Connection, p: { now: Date; limit: number }): Job[] {
  return conn.stmt(QUERIES.findExpiredLocks)
    .all(p.now.getTime(), Math.trunc(p.limit))
    .map(rowToJob);
}

/** See `Storage.promoteDue`. */
export function promoteDue(conn: Connection, p: { now: Date; limit: number }, emit: Emit): number {
  const now = p.now.getTime(), limit = Math.trunc(p.limit);
  const counts = new CountDeltas();
  for (const r of conn.stmt(QUERIES.countDue).all(now, limit)) {
    counts.add(r.queue as string, r.state as string, -(r.n as number));
    counts.add(r.queue as string, JobState.Enqueued, r.n as number);
  }
  const entry = JSON.stringify(promotedEntry(p.now));
  const rows = conn.stmt(QUERIES.promoteDue).all(now, limit, entry);
  counts.write(conn);
  emitReady(new Set(rows.map((r) => r.queue as string)), emit);
  return rows.length;
}

/** See `Storage.purgeExpired`. */
export function purgeExpired(conn: Connection, p: { now: Date; limit: number }): number {
  return purge(conn, QUERIES.purgeExpired, p.now, p.limit);
}

/** See `Storage.purgeFinished`. */
export function purgeFinished(conn: Connection, p: { before: Date; limit: number }): number {
  return purge(conn, QUERIES.purgeFinished, p.before, p.limit);
}

// Both purges: delete up to `limit` jobs of `query` by time `at`, keeping the counts in step.
function purge(conn: Connection, query: string, at: Date, limit: number): number {
  const rows = conn.stmt(query).all(at.getTime(), Math.trunc(limit));
  const counts = new CountDeltas();
  for (const r of rows) counts.add(r.queue as string, r.state as string, -1);
  counts.write(conn);
  return rows.length;
}

/** Take or renew a lease; whether `holder` holds it afterwards. */
export function acquireLease(
  conn: Connection,
  p: { name: string; holder: string; ttlMs: number; now: Date },
): boolean {
  const now = p.now.getTime();
  return conn.stmt(QUERIES.acquireLease).get(p.name, p.holder, now + p.ttlMs, now) !== undefined;
}

/** Give up a lease held by `holder` (no-op otherwise). */
export function releaseLease(conn: Connection, p: { name: string; holder: string }): void {
  conn.stmt(QUERIES.releaseLease).run(p.name, p.holder);
}
