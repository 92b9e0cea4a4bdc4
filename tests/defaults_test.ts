/**
 * The documented defaults (README: Options and defaults, Retry policy,
 * Retention, Payload limits), asserted as the literal values the README
 * states. Comparing the code with its own constants cannot catch a changed
 * default; these can.
 */
import assert from "node:assert/strict";
import { JobClient } from "../src/client.ts";
import { ManualClock } from "../src/clock.ts";
import { createJob } from "../src/job.ts";
import { JobState } from "../src/job_state.ts";
import { backoffDelay } from "../src/retry_policy.ts";
import { resolveConfig } from "../src/server/config.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { MemoryStorage } from "../src/storage/memory/memory_storage.ts";
import { decide } from "../src/transitions.ts";

const HOUR = 3_600_000, DAY = 24 * HOUR;

Deno.test("server options default to the documented values", () => {
  const c = resolveConfig({ storage: new MemoryStorage(), workers: "./w.ts", env: {} });
  assert.equal(c.concurrency, 200);
  assert.equal(c.threads, Math.max(1, navigator.hardwareConcurrency - 1));
  assert.equal(c.execution, "workers");
  assert.deepEqual(c.queues, ["default"]);
  assert.equal(c.pollIntervalMs, 1_000);
  assert.equal(c.jobTimeoutMs, 300_000);
  assert.equal(c.fetchBatchSize, 100);
  assert.equal(c.lockTtlMs, 30_000);
  assert.equal(c.shutdownTimeoutMs, 10_000);
  assert.equal(c.enableScheduler, true);
  assert.equal(c.enableRecurring, true);
  assert.equal(c.enableCleanup, true);
  assert.equal(c.recurringPollIntervalMs, 5_000);
  assert.equal(c.cleanupIntervalMs, 60_000);
  assert.equal(c.succeededTtlMs, 1 * DAY);
  assert.equal(c.failedTtlMs, 7 * DAY);
  assert.equal(c.timeoutGraceMs, 1_000);
  assert.equal(c.maxPayloadBytes, 1_048_576);
});

Deno.test("final jobs expire after 1 day (Succeeded) and 7 days (Failed, Deleted) by default", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const running = { ...createJob({ method: "m", args: null, now }), state: JobState.Processing };
  const expiry = (outcome: Parameters<typeof decide>[1], job = running) =>
    decide(job, outcome, { now }).expiresAt!.getTime() - now.getTime();
  assert.equal(expiry({ type: "succeeded", result: null }), 1 * DAY);
  assert.equal(
    expiry({ type: "failed", error: { name: "E", message: "x" }, retryable: false }),
    7 * DAY,
  );
  assert.equal(expiry({ type: "deleted" }), 7 * DAY);
});

Deno.test("a job deleted through a client or a server's client is kept 7 days", async () => {
  const clock = new ManualClock(new Date("2026-01-01T00:00:00Z"));
  const storage = new MemoryStorage();
  const clients = [
    new JobClient(storage, { clock }),
    new BackgroundJobServer({ storage, workers: "./w.ts", clock, env: {} }).client,
  ];
  for (const client of clients) {
    const job = await client.enqueue("m", null);
    assert.equal(await client.delete(job.id), true);
    const j = (await client.get(job.id))!;
    assert.equal(j.expiresAt!.getTime() - clock.now().getTime(), 7 * DAY);
  }
});

Deno.test("retry defaults: 5 attempts, exponential 1 s doubling, 1 h cap, 20 % jitter", async () => {
  const job = await new JobClient(new MemoryStorage()).enqueue("m", null);
  assert.equal(job.maxAttempts, 5);
  const err = { name: "E", message: "x" };
  const delays = [1, 2, 3, 4, 13].map((a) => backoffDelay(a, err, { random: () => 0 }));
  assert.deepEqual(delays, [1_000, 2_000, 4_000, 8_000, 3_600_000]);
  assert.equal(backoffDelay(1, err, { random: () => 1 }), 800);
});
