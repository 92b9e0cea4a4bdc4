/**
 * Result writes on a storage whose every write is a commit of its own (`commitPerWrite`):
 * while a fetch is out, a few finished results wait for more instead of taking a commit each,
 * and go out as soon as the fetch loop has nothing left to do. Elsewhere they go out at once.
 */
import assert from "node:assert/strict";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { makeServer, MODES } from "./_server.ts";

// The first fetch goes through; later ones wait for `open()`. Records each write's size.
function gatedFetches(inner: Storage, commitPerWrite: boolean) {
  const seen = { fetches: 0, writes: [] as number[] };
  const gate = Promise.withResolvers<void>();
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "commitPerWrite") return commitPerWrite;
      if (prop === "fetchAndLock") {
        return async (p: Parameters<Storage["fetchAndLock"]>[0]) => {
          if (++seen.fetches > 1) await gate.promise;
          return await target.fetchAndLock(p);
        };
      }
      if (prop === "transition") {
        return (p: Parameters<Storage["transition"]>[0]) => {
          seen.writes.push(p.items.length);
          return target.transition(p);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { storage, seen, open: () => gate.resolve() };
}

// A few event-loop turns: enough for anything already due to run.
async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
}

for (const mode of MODES) {
  for (const commitPerWrite of [true, false]) {
    Deno.test(
      `[${mode}] commitPerWrite ${commitPerWrite}: results ${
        commitPerWrite ? "wait while a fetch is out, then go in one write" : "are written at once"
      }`,
      async () => {
        const inner = new MemoryStorage();
        const { storage, seen, open } = gatedFetches(inner, commitPerWrite);
        const { server } = makeServer({
          storage,
          execution: mode,
          concurrency: 10,
          fetchBatchSize: 10,
        });
        await server.client.enqueueMany(
          Array.from({ length: 10 }, (_, i) => ({ worker: "noop", args: { i } })),
        );
        await server.start();
        try {
          // The first fetch came back full, so a second one is out (held at the gate) once
          // some of the 10 jobs have finished and freed their run slots.
          await waitUntil(() => seen.fetches >= 2, { what: "the second fetch" });
          if (commitPerWrite) {
            // With two Web Workers the results come back in two messages, and the second may
            // arrive after the first has let the fetch go: wait until every result is back.
            await waitUntil(() => server.runningJobs === 0, { what: "every result back" });
            await turns();
            assert.deepEqual(seen.writes, [], "10 results (< half the write-back of 64) wait");
            assert.equal((await inner.counts()).byState.Processing, 10);
          } else {
            await waitUntil(() => seen.writes.length > 0, { what: "a write during the fetch" });
          }
          open();
          await waitUntil(async () => (await inner.counts()).byState.Succeeded === 10, {
            what: "10 results written",
          });
          if (commitPerWrite) {
            assert.deepEqual(seen.writes, [10], "one write, once the fetch is in");
          }
        } finally {
          open();
          await server.stop();
        }
      },
    );
  }
}
