/** Server options and QML_* variables are validated at construction. */
import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import {
  defaultFetchBatchSize,
  defaultThreads,
  resolveConfig,
  SERVER_DEFAULTS,
} from "../../src/server/config.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { WorkerRegistry } from "../../src/worker.ts";
import { FIXTURES } from "./_server.ts";

const base = (extra: Record<string, unknown> = {}) => ({
  storage: new MemoryStorage(),
  workers: FIXTURES,
  env: {},
  logLevel: "silent" as const,
  ...extra,
});

function rejects(opts: Record<string, unknown>, pattern: RegExp): void {
  assert.throws(
    () => new BackgroundJobServer({ ...base(), ...opts } as never),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `expected ConfigError, got ${err}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

Deno.test("threads default to one per core but one; fetch batches to concurrency, at most 100", () => {
  assert.deepEqual([1, 2, 4, 16].map((n) => defaultThreads(n)), [1, 1, 3, 15]);
  assert.deepEqual([1, 7, 100, 1000].map(defaultFetchBatchSize), [1, 7, 100, 100]);
  assert.equal(resolveConfig(base({ concurrency: 10 })).fetchBatchSize, 10);
  assert.equal(resolveConfig(base({ concurrency: 10, fetchBatchSize: 5 })).fetchBatchSize, 5);
  assert.equal(resolveConfig(base({ concurrency: 1 })).threads, 1);
});

Deno.test("defaults", () => {
  const c = resolveConfig(base());
  assert.equal(c.execution, "workers");
  assert.equal(c.concurrency, 200);
  assert.equal(SERVER_DEFAULTS.concurrency, 200);
  assert.equal(c.threads, Math.max(1, navigator.hardwareConcurrency - 1));
  assert.equal(c.fetchBatchSize, 100);
  assert.deepEqual(c.queues, ["default"]);
  assert.equal(c.pollIntervalMs, 1_000);
  assert.equal(c.lockTtlMs, 30_000);
  assert.equal(c.jobTimeoutMs, 300_000);
  assert.match(c.serverName, /^[\w.\-]+:\d+:[0-9a-f]{6}$/);
  assert.ok(c.workers instanceof URL);
});

Deno.test("invalid options name the option and the accepted range", () => {
  rejects({ concurrency: 0 }, /invalid concurrency: expected an integer in 1\.\.100000, got 0/);
  rejects({ concurrency: 2.5 }, /invalid concurrency/);
  rejects({ threads: 0 }, /invalid threads: expected an integer in 1\.\.256/);
  rejects({ execution: "threads" }, /invalid execution: expected "workers", "inline" or "process"/);
  rejects({ queues: [] }, /invalid queues: expected a list of 1\.\.100 queue names/);
  rejects({ queues: ["a b"] }, /invalid queues: expected queue names/);
  rejects({ queues: ["a", "a"] }, /listed twice/);
  rejects({ pollIntervalMs: -1 }, /invalid pollIntervalMs/);
  rejects({ jobTimeoutMs: 0 }, /invalid jobTimeoutMs/);
  rejects({ fetchBatchSize: 0 }, /invalid fetchBatchSize: expected an integer in 1\.\.10000/);
  rejects({ lockTtlMs: 10 }, /invalid lockTtlMs: expected an integer in 100\.\./);
  rejects({ shutdownTimeoutMs: -5 }, /invalid shutdownTimeoutMs/);
  rejects({ enableScheduler: "yes" }, /invalid enableScheduler: expected true or false/);
  rejects({ succeededTtlMs: -1 }, /invalid succeededTtlMs/);
  rejects({ cleanupIntervalMs: 0 }, /invalid cleanupIntervalMs/);
  rejects({ recurringPollIntervalMs: 1 }, /invalid recurringPollIntervalMs/);
  rejects({ serverName: "has space" }, /invalid serverName/);
  rejects({ logLevel: "loud" }, /invalid logLevel/);
  rejects({ storage: {} }, /invalid storage/);
  rejects({ workers: 42 }, /invalid workers/);
  rejects(
    { workers: new WorkerRegistry() },
    /invalid workers: a WorkerRegistry object only works with execution "inline"/,
  );
});

Deno.test("a WorkerRegistry object is accepted inline", () => {
  const c = resolveConfig({ ...base(), workers: new WorkerRegistry(), execution: "inline" });
  assert.ok(c.workers instanceof WorkerRegistry);
});

Deno.test("QML_* variables configure threads, concurrency, queues and log level", () => {
  const c = resolveConfig({
    ...base(),
    logLevel: undefined,
    env: {
      QML_WORKERS: "3",
      QML_CONCURRENCY: "40",
      QML_QUEUES: "critical, default,bulk",
      QML_LOG: "error",
    },
  });
  assert.equal(c.threads, 3);
  assert.equal(c.concurrency, 40);
  assert.deepEqual(c.queues, ["critical", "default", "bulk"]);
  // Options given in code win over the environment.
  const d = resolveConfig({ ...base(), concurrency: 5, env: { QML_CONCURRENCY: "40" } });
  assert.equal(d.concurrency, 5);
});

Deno.test("invalid QML_* values name the variable, the option and the range", () => {
  rejects(
    { env: { QML_WORKERS: "lots" } },
    /invalid QML_WORKERS \(threads\): expected an integer in 1\.\.256, got "lots"/,
  );
  rejects(
    { env: { QML_CONCURRENCY: "0" } },
    /invalid QML_CONCURRENCY \(concurrency\): expected an integer in 1\.\.100000/,
  );
  rejects({ env: { QML_QUEUES: " , " } }, /invalid QML_QUEUES \(queues\)/);
  rejects(
    { logLevel: undefined, env: { QML_LOG: "chatty" } },
    /invalid QML_LOG \(logLevel\): expected debug, info, warn, error or silent/,
  );
});

Deno.test("Deno.env is read when no env is given", () => {
  Deno.env.set("QML_CONCURRENCY", "7");
  try {
    const { env: _e, ...opts } = base();
    assert.equal(resolveConfig(opts).concurrency, 7);
  } finally {
    Deno.env.delete("QML_CONCURRENCY");
  }
});
