/** Builders shared by the conformance areas. */
import { createJob, type CreateJobParams, type Job } from "../../../src/job.ts";
import type { Storage, StorageSignal } from "../../../src/storage/storage.ts";
import { waitUntil } from "../../_helpers/poll.ts";
import { decide, type Outcome } from "../../../src/transitions.ts";

/** A fixed base time so runs are deterministic; storage never reads the wall clock. */
export const T0 = new Date("2026-01-01T00:00:00.000Z");

/** `T0 + ms`. */
export const at = (ms: number): Date => new Date(T0.getTime() + ms);

/** A new job record at `T0` unless `now` says otherwise. */
export function job(overrides: Partial<CreateJobParams> = {}): Job {
  return createJob({ method: "test_method", args: { n: 1 }, now: T0, ...overrides });
}

/** Enqueue jobs and return the stored records. */
export async function put(storage: Storage, ...jobs: Job[]): Promise<Job[]> {
  const res = await storage.enqueue({ jobs, now: T0 });
  return res.map((r) => r.job);
}

/** Fetch up to `limit` jobs from `queues` as `server`. */
export function take(
  storage: Storage,
  opts: { queues?: string[]; limit?: number; server?: string; now?: Date; lockTtlMs?: number } = {},
): Promise<Job[]> {
  return storage.fetchAndLock({
    queues: opts.queues ?? ["default"],
    limit: opts.limit ?? 10,
    serverName: opts.server ?? "s1",
    lockTtlMs: opts.lockTtlMs ?? 30_000,
    now: opts.now ?? T0,
  });
}

/** Decide `outcome` for `job` (as fetched by `server`) and apply it; returns whether it applied. */
export async function finish(
  storage: Storage,
  job: Job,
  outcome: Outcome,
  opts: { now?: Date; server?: string; random?: () => number } = {},
): Promise<boolean> {
  const now = opts.now ?? T0;
  const next = decide(job, outcome, {
    now,
    server: opts.server ?? "s1",
    random: opts.random ?? (() => 0),
  });
  const [ok] = await storage.transition({
    items: [{ id: job.id, guard: { state: job.state, lockedBy: job.lockedBy ?? undefined }, next }],
    now,
  });
  return ok;
}

/** The stored job, which must exist. */
export async function must(storage: Storage, id: string): Promise<Job> {
  const j = await storage.get({ id });
  if (!j) throw new Error(`job ${id} missing`);
  return j;
}

/**
 * Subscribe to `storage`, then enqueue into `queue` until its ready signal is heard
 * (subscriptions on a real server become active asynchronously). `got` collects every signal.
 */
export async function subscribed(
  storage: Storage,
  queue: string,
): Promise<{ got: StorageSignal[]; off: () => void }> {
  const got: StorageSignal[] = [];
  const off = storage.subscribe((sig) => got.push(sig));
  try {
    await waitUntil(async () => {
      await put(storage, job({ queue }));
      return got.some((g) => g.kind === "ready" && g.queue === queue);
    }, { intervalMs: 50, what: `ready signal for ${queue}` });
  } catch (err) {
    off();
    throw err;
  }
  return { got, off };
}
