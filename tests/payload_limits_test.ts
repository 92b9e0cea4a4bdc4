/**
 * `maxPayloadBytes`: arguments and results at the limit are stored and read
 * back unchanged, one byte over is a ValidationError, with the same outcome on
 * every backend. Sizes are bytes of UTF-8 JSON.
 */
import assert from "node:assert/strict";
import { JobClient } from "../src/client.ts";
import { ConfigError, ValidationError } from "../src/errors.ts";
import { checkPayload, DEFAULT_MAX_PAYLOAD_BYTES } from "../src/json.ts";
import { JobState } from "../src/job_state.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { MemoryStorage } from "../src/storage/memory/memory_storage.ts";
import { BACKENDS } from "./_helpers/backends.ts";

const WORKERS = new URL("./fixtures/workers/isolation_workers.ts", import.meta.url);

/** A JSON string of exactly `bytes` bytes of UTF-8 JSON, with multi-byte characters in it. */
function stringOf(bytes: number): string {
  // "é" is 2 bytes, "€" 3, "😀" 4; the quotes 2. Fill the rest with ASCII.
  const head = "é€😀";
  const s = head + "x".repeat(bytes - 2 - 9);
  assert.equal(new TextEncoder().encode(JSON.stringify(s)).length, bytes);
  return s;
}

Deno.test("the documented default is 1 MiB", () => {
  assert.equal(DEFAULT_MAX_PAYLOAD_BYTES, 1_048_576);
});

Deno.test("checkPayload measures the UTF-8 JSON exactly", () => {
  const values: unknown[] = [
    null,
    { a: [1, 2.5, -0, 1e21], b: 'q"\\\n\u0000\u001f', c: undefined, d: true },
    ["é€😀", "\ud800 lone", "\udc00", new Date(0)],
    Object.assign(Object.create(null), { k: "v" }),
  ];
  for (const v of values) {
    assert.equal(checkPayload(v), new TextEncoder().encode(JSON.stringify(v)).length);
  }
  assert.throws(() => checkPayload({ a: "x".repeat(10) }, "args", 15), ValidationError);
  assert.equal(checkPayload({ a: "x".repeat(10) }, "args", 18), 18);
});

Deno.test("maxPayloadBytes must be a positive integer (client and server)", () => {
  const storage = new MemoryStorage();
  assert.throws(() => new JobClient(storage, { maxPayloadBytes: 0 }), ConfigError);
  assert.throws(() => new JobClient(storage, { maxPayloadBytes: 1.5 }), ConfigError);
  assert.throws(
    () => new BackgroundJobServer({ storage, workers: WORKERS, maxPayloadBytes: 0, env: {} }),
    /invalid maxPayloadBytes/,
  );
});

for (const [backend, open] of BACKENDS) {
  Deno.test(`[${backend}] args at the limit round-trip, one byte over is refused and nothing is stored`, async () => {
    const h = await open();
    try {
      const client = new JobClient(h.storage, { maxPayloadBytes: 1_000 });
      const at = stringOf(1_000);
      const job = await client.enqueue("counted", at);
      assert.deepEqual((await client.get(job.id))!.args, at);
      const over = stringOf(1_001);
      await assert.rejects(
        () => client.enqueue("counted", over),
        (e: unknown) =>
          e instanceof ValidationError && /args is 1001 bytes of JSON, over the limit of 1000/
            .test(e.message),
      );
      await assert.rejects(
        () =>
          client.enqueueMany([
            { worker: "counted", args: "small" },
            { worker: "counted", args: { nested: [over] } },
          ]),
        /args is \d+ bytes of JSON, over the limit of 1000/,
      );
      assert.equal((await client.list({ limit: 10 })).jobs.length, 1, "only the first job");
      // The default limit: 1 MiB exactly is accepted and read back whole.
      const big = new JobClient(h.storage);
      const mib = stringOf(DEFAULT_MAX_PAYLOAD_BYTES);
      const j2 = await big.enqueue("counted", mib);
      assert.equal((await big.get(j2.id))!.args, mib);
      await assert.rejects(
        () => big.enqueue("counted", stringOf(DEFAULT_MAX_PAYLOAD_BYTES + 1)),
        ValidationError,
      );
    } finally {
      await h.cleanup();
    }
  });

  Deno.test(`[${backend}] results at the server's limit are stored, one byte over fails the job`, async () => {
    const h = await open();
    const server = new BackgroundJobServer({
      storage: h.storage,
      workers: WORKERS,
      threads: 1,
      pollIntervalMs: 20,
      maxPayloadBytes: 1_000,
      logLevel: "silent",
      enableRecurring: false,
      enableCleanup: false,
      env: {},
    });
    try {
      await server.start();
      const at = await server.client.enqueue("returns", { kind: "string", size: 1_000 });
      const over = await server.client.enqueue("returns", { kind: "string", size: 1_001 });
      const ok = await server.client.waitFor(at.id, { timeoutMs: 10_000 });
      assert.equal(ok.state, JobState.Succeeded);
      assert.equal(ok.result, "x".repeat(998));
      const bad = await server.client.waitFor(over.id, { timeoutMs: 10_000 });
      assert.equal(bad.state, JobState.Failed);
      assert.equal(bad.attempts, 1, "not retried");
      assert.equal(bad.error?.name, "ValidationError");
      assert.match(bad.error!.message, /^result is 1001 bytes of JSON, over the limit of 1000/);
      // The server's client applies the same limit to arguments.
      await assert.rejects(
        () => server.client.enqueue("counted", stringOf(1_001)),
        ValidationError,
      );
    } finally {
      await server.stop();
      await h.cleanup();
    }
  });
}
