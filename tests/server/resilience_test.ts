/** Storage failures in the fetch and completion paths lose nothing. */
import assert from "node:assert/strict";
import { JobState } from "../../src/job_state.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { allJobs, fetchCount, MODES, withServer } from "./_server.ts";

/** A storage whose first `n` calls of each named verb throw. */
function failing(storage: MemoryStorage, n: Record<string, number>): Storage {
  const left = { ...n };
  return new Proxy(storage, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target);
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (typeof prop === "string" && (left[prop] ?? 0) > 0) {
          left[prop]--;
          return Promise.reject(new Error(`injected ${prop} failure`));
        }
        return v.apply(target, args);
      };
    },
  });
}

for (const mode of MODES) {
  Deno.test(`[${mode}] failed fetches and failed result writes are retried; every job succeeds once`, async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const storage = failing(new MemoryStorage(), { fetchAndLock: 2, transition: 2 });
    await withServer({ execution: mode, storage, logger }, async (server) => {
      await server.client.enqueueMany(Array.from({ length: 50 }, () => ({ worker: "noop" })));
      await waitUntil(async () => (await storage.counts()).byState.Succeeded === 50, {
        timeoutMs: 10_000,
        what: "all 50 succeeded",
      });
      for (const job of await allJobs(storage)) {
        assert.equal(job.state, JobState.Succeeded);
        assert.equal(fetchCount(job), 1);
      }
    });
    assert.ok(warnings.some((w) => w.includes("fetching jobs failed")));
    assert.ok(warnings.some((w) => w.includes("could not record")));
  });
}
