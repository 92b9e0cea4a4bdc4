/**
 * Back-pressure: a server runs at most `concurrency` jobs and holds at most a write-back more
 * (as many again, at least 64, or 500 where each write is a commit) whose results wait for
 * their write; a write that does not return stops the fetching.
 */
import assert from "node:assert/strict";
import { COMMIT_WRITE_BACK, MIN_WRITE_BACK, writeBackSize } from "../../src/server/slots.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { MODES, withServer } from "./_server.ts";

// Counts jobs fetched, held (fetched, not yet written) and written, and write sizes; each
// result write first awaits `beforeWrite`.
function observed(inner: Storage, beforeWrite: () => Promise<void>) {
  const seen = { fetched: 0, held: 0, maxHeld: 0, written: 0, batches: [] as number[] };
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "fetchAndLock") {
        return async (p: Parameters<Storage["fetchAndLock"]>[0]) => {
          const jobs = await target.fetchAndLock(p);
          seen.fetched += jobs.length;
          seen.held += jobs.length;
          seen.maxHeld = Math.max(seen.maxHeld, seen.held);
          return jobs;
        };
      }
      if (prop === "transition") {
        return async (p: Parameters<Storage["transition"]>[0]) => {
          seen.batches.push(p.items.length);
          await beforeWrite();
          const out = await target.transition(p);
          seen.held -= p.items.length;
          seen.written += p.items.length;
          return out;
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { storage, seen };
}

// Result writes take 30 ms.
const slowWrites = (inner: Storage) => observed(inner, () => new Promise((r) => setTimeout(r, 30)));

for (const mode of MODES) {
  Deno.test(`[${mode}] with slow result writes the server holds at most concurrency + 64 jobs; batches stay bounded`, async () => {
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
    assert.ok(seen.maxHeld <= 74, `held up to ${seen.maxHeld} jobs between fetch and write`);
    assert.ok(Math.max(...seen.batches) <= 64, `largest write: ${Math.max(...seen.batches)}`);
    assert.equal(seen.batches.reduce((a, b) => a + b, 0), 300);
  });
}

// Result writes wait until released.
function gatedWrites(inner: Storage) {
  const gates: (() => void)[] = [];
  const { storage, seen } = observed(inner, () => new Promise<void>((r) => gates.push(r)));
  const release = () => gates.splice(0).forEach((r) => r());
  return { storage, seen, release };
}

Deno.test("the write-back holds as many results as there are run slots, at least 64", () => {
  assert.equal(MIN_WRITE_BACK, 64);
  assert.equal(writeBackSize(1), 64);
  assert.equal(writeBackSize(10), 64);
  assert.equal(writeBackSize(200), 200);
});

Deno.test("where every write is a commit, the write-back holds at least 500 results", () => {
  assert.equal(COMMIT_WRITE_BACK, 500);
  assert.equal(writeBackSize(10, true), 500);
  assert.equal(writeBackSize(200, true), 500);
  assert.equal(writeBackSize(2_000, true), 2_000);
  assert.equal(writeBackSize(10, false), 64);
});

// A server with 10 run slots over writes that never return (until released): it fetches and
// runs jobs until 10 + its write-back are held, then stops; once writes return, it writes
// every job exactly once. `commitPerWrite`: the storage says each write is a commit.
async function stopsWhenWriteBackIsFull(commitPerWrite: boolean, jobs: number, held: number) {
  const inner = new MemoryStorage();
  const gated = gatedWrites(inner);
  const storage = new Proxy(gated.storage, {
    get: (target, prop, receiver) =>
      prop === "commitPerWrite" ? commitPerWrite : Reflect.get(target, prop, receiver),
  });
  const { seen, release } = gated;
  await withServer(
    { storage, execution: "inline", concurrency: 10, fetchBatchSize: 10 },
    async (server) => {
      await server.client.enqueueMany(
        Array.from({ length: jobs }, (_, i) => ({ worker: "noop", args: { i } })),
      );
      // No write has returned, yet more batches were fetched and run: results wait in the
      // write-back, not in the run slots, until 10 running + the write-back are held; the
      // last fetch asks only for what the write-back still has room for.
      await waitUntil(() => seen.fetched === held && server.runningJobs === 0, {
        what: `${held} jobs fetched and run with no write returned`,
      });
      // Two writes are out (the most at once) and nothing more is fetched.
      await waitUntil(() => seen.batches.length === 2, { what: "two writes in flight" });
      const counts = await inner.counts();
      assert.equal(counts.byState.Processing, held);
      assert.equal(counts.byState.Enqueued, jobs - held);
      assert.equal(seen.fetched, held);
      assert.equal(seen.written, 0);
      // Let writes through until the backlog is done; every job is written exactly once.
      await waitUntil(async () => {
        release();
        return (await inner.counts()).byState.Succeeded === jobs;
      }, { what: `${jobs} jobs` });
    },
  );
  assert.equal(seen.fetched, jobs);
  assert.equal(seen.written, jobs);
}

Deno.test("[inline] the next batches are fetched and run while the last results are written; a write that does not return stops fetching at concurrency + 64", async () => {
  await stopsWhenWriteBackIsFull(false, 100, 74);
});

Deno.test("[inline] on a commit-per-write storage a write that does not return stops fetching at concurrency + 500", async () => {
  await stopsWhenWriteBackIsFull(true, 600, 510);
});
