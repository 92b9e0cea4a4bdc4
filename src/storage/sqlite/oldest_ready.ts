/**
 * SQLite's `oldestReady`: a loose index scan of `jobs_fetch_idx` (queue, priority DESC,
 * run_at, id) WHERE Enqueued, stepped from this process (each step is one index probe in
 * the same connection): from one (queue, priority) present to the next — the same queue's
 * next lower priority, else the next queue's highest — taking each pair's first run_at.
 * The cost grows with the number of (queue, priority) pairs, never with the ready jobs.
 *
 * @module
 */
import type { Connection } from "./connection.ts";

const FIRST = `SELECT queue, priority FROM jobs WHERE state = 'Enqueued'
  ORDER BY queue, priority DESC LIMIT 1`;
const LOWER_PRIORITY = `SELECT queue, priority FROM jobs
  WHERE state = 'Enqueued' AND queue = ? AND priority < ? ORDER BY priority DESC LIMIT 1`;
const NEXT_QUEUE = `SELECT queue, priority FROM jobs
  WHERE state = 'Enqueued' AND queue > ? ORDER BY queue, priority DESC LIMIT 1`;
const EARLIEST = `SELECT run_at FROM jobs
  WHERE state = 'Enqueued' AND queue = ? AND priority = ? ORDER BY run_at LIMIT 1`;

type Pair = { queue: string; priority: number } | undefined;

/** Per queue with Enqueued jobs, the earliest `runAt` (see `Storage.oldestReady`). */
export function oldestReady(conn: Connection): Record<string, Date> {
  const out: Record<string, Date> = {};
  let p = conn.stmt(FIRST).get() as Pair;
  while (p) {
    const row = conn.stmt(EARLIEST).get(p.queue, p.priority) as { run_at: number };
    const prev = out[p.queue];
    if (!prev || row.run_at < prev.getTime()) out[p.queue] = new Date(row.run_at);
    p = (conn.stmt(LOWER_PRIORITY).get(p.queue, p.priority) ??
      conn.stmt(NEXT_QUEUE).get(p.queue)) as Pair;
  }
  return out;
}
