/**
 * Errors carry what handlers throw, whatever the text: a job whose error message and stack
 * hold a NUL or a lone surrogate is recorded Failed (or AwaitingRetry) with that text intact,
 * on every backend, and the jobs finishing in the same result batch are not held back.
 */
import assert from "node:assert/strict";
import { JobState } from "../../src/job_state.ts";
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import { EDGE_STRINGS } from "../storage/conformance/payloads.ts";
import { BACKENDS } from "../_helpers/backends.ts";
import { waitUntil } from "../_helpers/poll.ts";

const WORKERS = new URL("../fixtures/workers/isolation_workers.ts", import.meta.url);
const TEXTS = Object.entries(EDGE_STRINGS).filter(([name]) => name !== "long");

for (const [backend, open] of BACKENDS) {
  Deno.test(`[${backend}] errors with NUL and lone surrogates are recorded as thrown; the rest of the batch succeeds`, async () => {
    const h = await open();
    const log = await Deno.makeTempFile({ prefix: "qml-runs-" });
    const server = new BackgroundJobServer({
      storage: h.storage,
      workers: WORKERS,
      execution: "inline",
      pollIntervalMs: 20,
      logLevel: "silent",
      enableRecurring: false,
      enableCleanup: false,
      env: {},
    });
    try {
      // Enqueued before the server starts: one fetch takes them all, and they finish together.
      const normal = await server.client.enqueueMany(
        Array.from({ length: 10 }, () => ({ worker: "counted", args: { log, ms: 50 } })),
      );
      const throwing = await server.client.enqueueMany(
        TEXTS.flatMap(([, text]) => [
          { worker: "throws_text", args: { text, ms: 50 }, options: { maxAttempts: 1 } },
          { worker: "throws_text", args: { text, ms: 50 }, options: { maxAttempts: 2 } },
        ]),
      );
      await server.start();
      for (const j of normal) {
        const done = await server.client.waitFor(j.id, { timeoutMs: 10_000 });
        assert.equal(done.state, JobState.Succeeded);
        assert.equal(done.attempts, 1);
      }
      for (const [k, j] of throwing.entries()) {
        const [name, text] = TEXTS[k >> 1];
        const want = k % 2 ? JobState.AwaitingRetry : JobState.Failed;
        await waitUntil(async () => (await h.storage.get({ id: j.id }))?.state === want, {
          what: `${name} job ${want}`,
        });
        const done = (await h.storage.get({ id: j.id }))!;
        assert.equal(done.state, want, name);
        assert.equal(done.attempts, 1, name);
        assert.equal(done.error?.name, "Error", name);
        assert.equal(done.error?.message, `bad ${text} byte`, name);
        assert.equal(done.error?.stack, `Error: bad ${text} byte\n    at handler (${text}.ts:1:1)`);
        assert.deepEqual(done.history.at(-1)?.error, done.error, name);
      }
    } finally {
      await server.stop();
      await h.cleanup();
      await Deno.remove(log);
    }
  });
}
