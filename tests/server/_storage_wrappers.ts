/** Storage wrappers for server unit tests: fetched jobs, refusing and recording storages. */
import { JobClient } from "../../src/client.ts";
import { StorageError } from "../../src/errors.ts";
import type { Job } from "../../src/job.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import type { TransitionItem } from "../../src/transitions.ts";
import { DEFAULT_TTLS } from "../../src/transitions.ts";
import { decideItem } from "../../src/server/outcome.ts";

/** The server name the helpers lock jobs with. */
export const SERVER = "test-server";

/** A memory storage holding `n` jobs of `method`, all fetched (Processing, locked by SERVER). */
export async function fetchedJobs(
  n: number,
  method = "noop",
): Promise<{ storage: MemoryStorage; jobs: Job[] }> {
  const storage = new MemoryStorage();
  const client = new JobClient(storage);
  await client.enqueueMany(Array.from({ length: n }, (_, i) => ({ worker: method, args: { i } })));
  const jobs = await storage.fetchAndLock({
    queues: ["default"],
    limit: n,
    serverName: SERVER,
    lockTtlMs: 60_000,
    now: new Date(),
  });
  return { storage, jobs };
}

/** A succeeded transition of `job` with `result`, guarded by SERVER's lock. */
export function succeeded(job: Job, result: unknown = null): TransitionItem {
  return decideItem(job, { type: "succeeded", result }, new Date(), undefined, {
    serverName: SERVER,
    ttls: DEFAULT_TTLS,
  });
}

/** What a {@link refusing} storage saw. */
export interface CallLog {
  /** Ids of each `transition` call, in order. */
  transitions: string[][];
  /** Each `recordActivity` call. */
  activity: Parameters<Storage["recordActivity"]>[0][];
}

/**
 * `inner`, except that `transition` rejects every batch holding one of `poisoned` (a
 * non-transient StorageError, as a backend refusing a value), and fails the first
 * `transientFailures` calls with a transient one; `recordActivity` is recorded and
 * resolves (or rejects when `activityFails`).
 */
export function refusing(
  inner: Storage,
  opts: { poisoned?: Set<string>; transientFailures?: number; activityFails?: boolean } = {},
): { storage: Storage; log: CallLog } {
  const log: CallLog = { transitions: [], activity: [] };
  let transient = opts.transientFailures ?? 0;
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "transition") {
        return (params: Parameters<Storage["transition"]>[0]) => {
          log.transitions.push(params.items.map((i) => i.id));
          if (transient > 0) {
            transient--;
            return Promise.reject(new StorageError("connection lost", { transient: true }));
          }
          const bad = params.items.find((i) => opts.poisoned?.has(i.id) && i.next.result !== null);
          if (bad) {
            return Promise.reject(new StorageError(`value refused in job ${bad.id}`));
          }
          return target.transition(params);
        };
      }
      if (prop === "recordActivity") {
        return (params: Parameters<Storage["recordActivity"]>[0]) => {
          log.activity.push(params);
          return opts.activityFails
            ? Promise.reject(new StorageError("recordActivity: not implemented yet"))
            : Promise.resolve();
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { storage, log };
}
