/**
 * What a job's method, unique key, attempts, timeout and run time may be: one rule, checked
 * by the client before anything is written, so one bad item of a batch enqueue is the same
 * ConfigError on every backend and the database never refuses (nor silently changes) a batch
 * because of it. Values at the limits are stored as given everywhere.
 */
import assert from "node:assert/strict";
import { type EnqueueItem, JobClient } from "../src/client.ts";
import { ConfigError } from "../src/errors.ts";
import { INT32_LIMIT, RUN_AT_RANGE } from "../src/job_options.ts";
import { BACKENDS } from "./_helpers/backends.ts";

const BAD: [option: string, item: EnqueueItem][] = [
  ["method", { worker: "a\u0000b" }],
  ["method", { worker: "a\ud800b" }],
  ["method", { worker: "" }],
  ["uniqueKey", { worker: "m", options: { uniqueKey: "k\u0000" } }],
  ["uniqueKey", { worker: "m", options: { uniqueKey: "k\ud800" } }],
  ["maxAttempts", { worker: "m", options: { maxAttempts: INT32_LIMIT + 1 } }],
  ["timeoutMs", { worker: "m", options: { timeoutMs: INT32_LIMIT + 1 } }],
  ["timeoutMs", { worker: "m", options: { timeoutMs: 1.5 } }],
  ["runAt", { worker: "m", options: { runAt: new Date(RUN_AT_RANGE.min - 1) } }],
  ["runAt", { worker: "m", options: { runAt: new Date(RUN_AT_RANGE.max + 1) } }],
  ["runAt", { worker: "m", options: { runAt: new Date(NaN) } }],
  ["delayMs", { worker: "m", options: { delayMs: 1e20 } }],
  // deno-lint-ignore no-explicit-any
  ["backoff", { worker: "m", options: { backoff: { type: "linear" } as any } }],
  // deno-lint-ignore no-explicit-any
  ["backoff.delayMs", { worker: "m", options: { backoff: { type: "fixed", delayMs: 1n } as any } }],
  ["backoff.jitter", { worker: "m", options: { backoff: { type: "exponential", jitter: 2 } } }],
];

for (const [backend, open] of BACKENDS) {
  Deno.test(`[${backend}] an item no backend stores as given is a ConfigError before the batch is written`, async () => {
    const h = await open();
    try {
      const client = new JobClient(h.storage);
      for (const [option, item] of BAD) {
        const what = `${option} ${Deno.inspect(item.options ?? item.worker)}`;
        await assert.rejects(
          client.enqueueMany([{ worker: "ok" }, item, { worker: "ok" }]),
          (err: unknown) => {
            assert.ok(err instanceof ConfigError, `${what}: got ${err}`);
            assert.equal(err.option, option, what);
            return true;
          },
        );
      }
      assert.equal((await h.storage.list({ limit: 10 })).jobs.length, 0, "nothing stored");
    } finally {
      await h.cleanup();
    }
  });

  Deno.test(`[${backend}] values at the limits are stored as given`, async () => {
    const h = await open();
    try {
      const client = new JobClient(h.storage);
      const method = `a/b.c:d-e_${"f".repeat(190)}`;
      const uniqueKey = `k \ud83d\ude00 "\\\n${"é".repeat(490)}`;
      const options = { uniqueKey, maxAttempts: INT32_LIMIT, timeoutMs: INT32_LIMIT };
      const jobs = await client.enqueueMany([
        { worker: method, options: { ...options, runAt: new Date(RUN_AT_RANGE.min) } },
        { worker: "m", options: { runAt: new Date(RUN_AT_RANGE.max) } },
      ]);
      const [first, second] = await Promise.all(jobs.map((j) => h.storage.get({ id: j.id })));
      assert.equal(first?.method, method);
      assert.equal(first?.uniqueKey, uniqueKey);
      assert.equal(first?.maxAttempts, INT32_LIMIT);
      assert.equal(first?.timeoutMs, INT32_LIMIT);
      assert.equal(first?.runAt.getTime(), RUN_AT_RANGE.min);
      assert.equal(second?.runAt.getTime(), RUN_AT_RANGE.max);
    } finally {
      await h.cleanup();
    }
  });
}
