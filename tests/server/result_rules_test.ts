/**
 * Results follow the args rules (src/json.ts), checked where the handler
 * returns: a non-JSON result fails its own job with a ValidationError naming
 * the path, and never holds back the jobs that finished with it. Errors are
 * stored as thrown, whatever their text.
 */
import assert from "node:assert/strict";
import { JobState } from "../../src/job_state.ts";
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import type { ExecutionMode } from "../../src/server/config.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { EDGE_STRINGS } from "../storage/conformance/payloads.ts";
import { BACKENDS } from "../_helpers/backends.ts";
import { waitUntil } from "../_helpers/poll.ts";

const WORKERS = new URL("../fixtures/workers/isolation_workers.ts", import.meta.url);

function runsPerJob(log: string): Map<string, number> {
  const runs = new Map<string, number>();
  let text = "";
  try {
    text = Deno.readTextFileSync(log);
  } catch { /* no run yet */ }
  for (const id of text.split("\n").filter(Boolean)) runs.set(id, (runs.get(id) ?? 0) + 1);
  return runs;
}

/** A server on the isolation workers, polling fast, without maintenance but the scheduler. */
function quietServer(storage: Storage, execution: ExecutionMode): BackgroundJobServer {
  return new BackgroundJobServer({
    storage,
    workers: WORKERS,
    execution,
    threads: 2,
    pollIntervalMs: 20,
    logLevel: "silent",
    enableRecurring: false,
    enableCleanup: false,
    env: {},
  });
}

const POISON: [kind: string, message: RegExp][] = [
  ["bigint", /^result\.n is a bigint, not JSON$/],
  ["map", /^result\.m is a Map, not plain data$/],
  ["set", /^result\[0\] is a Set, not plain data$/],
];

const CASES: [string, ExecutionMode][] = [
  ...BACKENDS.map(([b]) => [b, "workers"] as [string, ExecutionMode]),
  ...BACKENDS.map(([b]) => [b, "inline"] as [string, ExecutionMode]),
  ["memory", "process"],
];

for (const [backend, execution] of CASES) {
  const open = BACKENDS.find(([b]) => b === backend)![1];
  Deno.test(`[${backend}/${execution}] 20 jobs finishing with 3 poisonous results: each normal job succeeds once, each poisonous one fails alone`, async () => {
    const h = await open();
    const log = await Deno.makeTempFile({ prefix: "qml-runs-" });
    const server = quietServer(h.storage, execution);
    try {
      // Enqueued before the server starts: one fetch takes them all, and they finish together.
      const normal = await server.client.enqueueMany(
        Array.from({ length: 20 }, () => ({ worker: "counted", args: { log, ms: 100 } })),
      );
      const poison = await server.client.enqueueMany(
        POISON.map(([kind]) => ({ worker: "returns", args: { kind, ms: 100 } })),
      );
      const undef = await server.client.enqueue("returns", { kind: "undefined", ms: 100 });
      await server.start();
      const t0 = Date.now();
      for (const j of normal) {
        const done = await server.client.waitFor(j.id, { timeoutMs: 10_000 });
        assert.equal(done.state, JobState.Succeeded);
        assert.equal(done.attempts, 1);
        assert.deepEqual(done.result, { id: j.id });
      }
      for (const [i, j] of poison.entries()) {
        const done = await server.client.waitFor(j.id, { timeoutMs: 10_000 });
        assert.equal(done.state, JobState.Failed, POISON[i][0]);
        assert.equal(done.attempts, 1, "not retried: the same code returns the same value");
        assert.equal(done.error?.name, "ValidationError");
        assert.match(done.error!.message, POISON[i][1]);
      }
      const u = await server.client.waitFor(undef.id, { timeoutMs: 10_000 });
      assert.equal(u.state, JobState.Succeeded);
      assert.equal(u.result, null, "undefined is stored as null");
      assert.ok(Date.now() - t0 < 10_000, "within seconds");
      const runs = runsPerJob(log);
      for (const j of normal) assert.equal(runs.get(j.id), 1, `job ${j.id} ran ${runs.get(j.id)}×`);
      assert.equal(runs.size, 20);
    } finally {
      await server.stop();
      await h.cleanup();
      await Deno.remove(log);
    }
  });
}

const TEXTS = Object.entries(EDGE_STRINGS).filter(([name]) => name !== "long");

// Errors carry what handlers throw, whatever the text: NUL and lone surrogates in a message
// and stack are recorded as thrown (Postgres stored errors as jsonb, which refused both).
for (const [backend, open] of BACKENDS) {
  Deno.test(`[${backend}] errors with NUL and lone surrogates are recorded as thrown; the rest of the batch succeeds`, async () => {
    const h = await open();
    const log = await Deno.makeTempFile({ prefix: "qml-runs-" });
    const server = quietServer(h.storage, "inline");
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
