/** Redis bulk enqueue: chunks, their order, the in-flight window, and stopping on failure. */
import assert from "node:assert/strict";
import { createJob } from "../../src/job.ts";
import { ENQUEUE_CHUNK, ENQUEUE_WINDOW, enqueueInChunks } from "../../src/storage/redis/enqueue.ts";

const now = new Date("2026-01-01T00:00:00Z");
const jobs = (n: number) =>
  Array.from({ length: n }, (_, i) => createJob({ method: "m", args: i, now }));

/** A fake script call: records what was sent and when it may answer. */
function fakeRedis() {
  const sent: string[][] = [];
  const pending: (() => void)[] = [];
  let inFlight = 0, maxInFlight = 0;
  const call = (batch: string) => {
    const ids = (JSON.parse(batch) as [string][]).map((j) => j[0]);
    sent.push(ids);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    return new Promise<string[]>((resolve) =>
      pending.push(() => {
        inFlight--;
        resolve(ids.map(() => ""));
      })
    );
  };
  return { sent, pending, call, maxInFlight: () => maxInFlight };
}

Deno.test("enqueue chunks: in order, at most the window in flight, one reply per job", async () => {
  const all = jobs(ENQUEUE_CHUNK * (ENQUEUE_WINDOW + 3) + 7);
  const r = fakeRedis();
  const done = enqueueInChunks(all, r.call);
  // Answer in send order, whenever something is waiting, until the batch is done.
  let finished = false;
  done.finally(() => finished = true);
  while (!finished) {
    await Promise.resolve();
    r.pending.shift()?.();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  const replies = await done;
  assert.equal(replies.length, all.length);
  assert.deepEqual(r.sent.flat(), all.map((j) => j.id));
  assert.equal(r.sent.length, ENQUEUE_WINDOW + 4);
  assert.equal(r.maxInFlight(), ENQUEUE_WINDOW);
});

Deno.test("enqueue chunks: after a failed call no further chunk is sent", async () => {
  const all = jobs(ENQUEUE_CHUNK * (ENQUEUE_WINDOW + 5));
  let calls = 0;
  const call = (_batch: string) => {
    const k = calls++;
    return k === 0 ? Promise.reject(new Error("boom")) : new Promise<string[]>(() => {});
  };
  await assert.rejects(enqueueInChunks(all, call), /boom/);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(calls, ENQUEUE_WINDOW);
});
