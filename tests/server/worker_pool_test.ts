/** The Web Worker pool on its own: results, aborts, kills, crashes, load spreading. */
import assert from "node:assert/strict";
import type { RunResult, WireJob } from "../../src/server/protocol.ts";
import { WorkerPool } from "../../src/server/worker_pool.ts";
import { waitUntil } from "../_helpers/poll.ts";

const FIXTURES = new URL("../fixtures/workers/test_workers.ts", import.meta.url).href;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function wire(id: string, method: string, args: unknown = {}): WireJob {
  return {
    id,
    method,
    args,
    queue: "default",
    priority: 0,
    attempt: 1,
    maxAttempts: 1,
    createdAt: Date.now(),
  };
}

async function withPool(
  threads: number,
  fn: (pool: WorkerPool, results: RunResult[]) => Promise<void>,
): Promise<void> {
  const results: RunResult[] = [];
  const pool = new WorkerPool({
    url: FIXTURES,
    threads,
    logger: quiet,
    hooks: { onResults: (r) => results.push(...r), onProgress() {}, onLog() {} },
  });
  await pool.start();
  try {
    await fn(pool, results);
  } finally {
    await pool.stop();
  }
}

Deno.test("every dispatched job reports exactly one result, spread over the threads", async () => {
  await withPool(2, async (pool, results) => {
    const jobs = Array.from({ length: 50 }, (_, i) => wire(`j${i}`, "noop"));
    pool.dispatch(jobs);
    await waitUntil(() => results.length >= 50, { what: "50 results" });
    assert.deepEqual(results.map((r) => r.id).sort(), jobs.map((j) => j.id).sort());
    assert.ok(results.every((r) => r.kind === "ok"));
    assert.deepEqual((results[0] as { value: unknown }).value, { id: results[0].id });
  });
});

Deno.test("abort reaches the handler's signal; an unknown method fails without retry", async () => {
  await withPool(1, async (pool, results) => {
    pool.dispatch([wire("a", "wait_for_abort"), wire("u", "no_such_worker")]);
    await waitUntil(() => results.length >= 1, { what: "the unknown worker's result" });
    pool.abort(["a"], "cancelled");
    await waitUntil(() => results.length >= 2, { what: "the aborted job's result" });
    const u = results.find((r) => r.id === "u")!;
    assert.equal(u.kind, "error");
    assert.equal(u.kind === "error" && u.error.name, "UnknownWorkerError");
    assert.equal(u.kind === "error" && u.retryable, false);
    const a = results.find((r) => r.id === "a")!;
    assert.equal(a.kind, "error");
    assert.match(a.kind === "error" ? a.error.message : "", /cancelled/);
  });
});

Deno.test("kill terminates a stuck thread: its jobs come back terminated and a new thread runs on", async () => {
  await withPool(1, async (pool, results) => {
    pool.dispatch([wire("spin", "busy_loop"), wire("w", "wait_for_abort")]);
    // Let the thread start the loop (it stops acknowledging).
    await new Promise((r) => setTimeout(r, 50));
    pool.kill("spin");
    await waitUntil(() => results.length >= 2, { what: "both jobs reported" });
    assert.deepEqual(results.map((r) => [r.id, r.kind]).sort(), [
      ["spin", "terminated"],
      ["w", "terminated"],
    ]);
    pool.dispatch([wire("after", "noop")]);
    await waitUntil(() => results.length >= 3, { what: "a job on the replacement thread" });
    assert.equal(results[2].kind, "ok");
  });
});

Deno.test("a crashed thread reports its jobs crashed and is replaced", async () => {
  await withPool(1, async (pool, results) => {
    pool.dispatch([wire("c", "crash")]);
    await waitUntil(() => results.length >= 1, { what: "the crash" });
    assert.equal(results[0].kind, "crashed");
    pool.dispatch([wire("next", "noop")]);
    await waitUntil(() => results.length >= 2, { what: "a job after the crash" });
    assert.equal(results[1].kind, "ok");
  });
});

Deno.test("a module that cannot load fails start with a ConfigError", async () => {
  const pool = new WorkerPool({
    url: new URL("../fixtures/workers/throws_at_import.ts", import.meta.url).href,
    threads: 1,
    logger: quiet,
    hooks: { onResults() {}, onProgress() {}, onLog() {} },
  });
  await assert.rejects(pool.start(), /failed to load in a Web Worker/);
});
