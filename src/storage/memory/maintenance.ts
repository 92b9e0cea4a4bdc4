/**
 * The in-memory side of maintenance: rescue candidates, promotion of due jobs, retention
 * purges (each draining the heap that orders them), and the leases that keep one server at
 * a time on each of them.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { isFinalState, JobState } from "../../job_state.ts";
import { promotedEntry } from "../../transitions.ts";
import { copyJob } from "../job_copy.ts";
import type { StorageSignal } from "../storage.ts";
import type { JobStore, Timed } from "./job_store.ts";

/** Processing jobs whose lock lapsed before `now` (their entries stay in the heap). */
export function findExpiredLocks(store: JobStore, p: { now: Date; limit: number }): Job[] {
  const nowMs = p.now.getTime();
  const keep: Timed[] = [];
  const out: Job[] = [];
  while (out.length < p.limit) {
    const e = store.locks.peek();
    if (!e || e.at > nowMs) break;
    store.locks.pop();
    const job = store.fresh(e);
    if (!job) continue; // stale entry: drop it for good
    keep.push(e);
    out.push(copyJob(job));
  }
  for (const e of keep) store.locks.push(e);
  return out;
}

/** Move due Scheduled / AwaitingRetry jobs to Enqueued; how many moved. */
export function promoteDue(
  store: JobStore,
  p: { now: Date; limit: number },
  emit: (signal: StorageSignal) => void,
): number {
  const nowMs = p.now.getTime();
  const readyQueues = new Set<string>();
  let n = 0;
  while (n < p.limit) {
    const e = store.due.peek();
    if (!e || e.at > nowMs) break;
    store.due.pop();
    const job = store.fresh(e);
    if (!job) continue;
    job.state = JobState.Enqueued;
    job.history.push(promotedEntry(p.now));
    store.index(job);
    readyQueues.add(job.queue);
    n++;
  }
  for (const queue of readyQueues) emit({ kind: "ready", queue });
  return n;
}

/** Delete final jobs whose expiry passed; how many. */
export function purgeExpired(store: JobStore, p: { now: Date; limit: number }): number {
  const nowMs = p.now.getTime();
  const gone: Job[] = [];
  while (gone.length < p.limit) {
    const e = store.expiry.peek();
    if (!e || e.at > nowMs) break;
    store.expiry.pop();
    const job = store.fresh(e);
    if (!job || !job.expiresAt || job.expiresAt.getTime() > nowMs) continue;
    gone.push(job);
  }
  store.remove(gone);
  return gone.length;
}

/** Delete final jobs finished before `before`; how many. */
export function purgeFinished(store: JobStore, p: { before: Date; limit: number }): number {
  const beforeMs = p.before.getTime();
  const gone: Job[] = [];
  // No index by finishedAt: memory is for tests and small runs, a full pass is fine.
  for (const job of store.jobs.all()) {
    if (gone.length >= p.limit) break;
    if (!isFinalState(job.state) || !job.finishedAt) continue;
    if (job.finishedAt.getTime() < beforeMs) gone.push(job);
  }
  store.remove(gone);
  return gone.length;
}

/** Named leases, each held by one holder until it lapses. */
export class Leases {
  readonly #held = new Map<string, { holder: string; until: number }>();

  /** Take or renew lease `name` for `holder`; whether it is held now. */
  acquire(p: { name: string; holder: string; ttlMs: number; now: Date }): boolean {
    const nowMs = p.now.getTime();
    const cur = this.#held.get(p.name);
    if (cur && cur.holder !== p.holder && cur.until > nowMs) return false;
    this.#held.set(p.name, { holder: p.holder, until: nowMs + p.ttlMs });
    return true;
  }

  /** Release lease `name` if `holder` holds it. */
  release(p: { name: string; holder: string }): void {
    if (this.#held.get(p.name)?.holder === p.holder) this.#held.delete(p.name);
  }
}
