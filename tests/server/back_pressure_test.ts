/** Back-pressure: a job holds its slot until its result is written. */
import assert from "node:assert/strict";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { MODES, withServer } from "./_server.ts";

// Result writes take 30 ms; counts jobs fetched and not yet written, and write sizes.
function slowWrites(inner: Storage) {
  const seen = { held: 0, maxHeld: 0, batches: [] as number[] };
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "fetchAndLock") {
        return async (p: Parameters<Storage["fetchAndLock"]>[0]) => {
          const jobs = await target.fetchAndLock(p);
          seen.held += jobs.length;
          seen.maxHeld = Math.max(seen.maxHeld, seen.held);
          return jobs;
        };
      }
      if (prop === "transition") {
        return async (p: Parameters<Storage["transition"]>[0]) => {
          seen.batches.push(p.items.length);
          await new Promise((r) => setTimeout(r, 30));
          const out = await target.transition(p);
          seen.held -= p.items.length;
          return out;
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { storage, seen };
}

for (const mode of MODES) {
  Deno.test(`[${mode}] with slow result writes the server holds at most concurrency jobs; batches stay bounded`, async () => {
    const inner = new MemoryStorage();
    const { storage, seen } = slowWrites(inner);
    await withServer(
      { storage, execution: mode, concurrency: 10, fetchBatchSize: 10 },
      async (server) => {
        await server.client.enqueueMany(
          Array.from({ length: 300 }, (_, i) => ({ worker: "noop", args: { i } })),
        );
        await waitUntil(async () => (await inner.counts()).byState.Succeeded === 300, {
          timeoutMs: 20_000,
          what: "300 jobs",
        });
      },
    );
    assert.ok(seen.maxHeld <= 10, `held up to ${seen.maxHeld} jobs between fetch and write`);
    assert.ok(Math.max(...seen.batches) <= 10, `largest write: ${Math.max(...seen.batches)}`);
    assert.equal(seen.batches.reduce((a, b) => a + b, 0), 300);
  });
}
