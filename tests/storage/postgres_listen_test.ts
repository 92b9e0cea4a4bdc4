/** LISTEN/NOTIFY wake-ups, and the listen connection coming back after it is killed. */
import assert from "node:assert/strict";
import { createJob } from "../../src/job.ts";
import type { StorageSignal } from "../../src/storage/storage.ts";
import { decide } from "../../src/transitions.ts";
import { openTestStorage, waitUntil, withAdmin } from "../_helpers/postgres.ts";

const now = new Date("2026-01-01T00:00:00.000Z");

Deno.test("listen: enqueue wakes a subscriber with the job's queue", async () => {
  const h = await openTestStorage();
  try {
    const seen: StorageSignal[] = [];
    h.storage.subscribe((s) => seen.push(s));
    await h.storage.listening();
    const t = performance.now();
    await h.storage.enqueue({
      jobs: [createJob({ method: "m", args: 1, now, queue: "mail" })],
      now,
    });
    await waitUntil(() => seen.length > 0, { what: "a ready signal" });
    const latencyMs = performance.now() - t;
    assert.deepEqual(seen[0], { kind: "ready", queue: "mail" });
    assert.ok(latencyMs < 1_000, `wake-up took ${latencyMs} ms`);
  } finally {
    await h.cleanup();
  }
});

Deno.test("listen: deleting a Processing job signals cancelled to its server", async () => {
  const h = await openTestStorage();
  try {
    const s = h.storage;
    const seen: StorageSignal[] = [];
    s.subscribe((sig) => seen.push(sig));
    await s.listening();
    await s.enqueue({ jobs: [createJob({ method: "m", args: 1, now })], now });
    const [job] = await s.fetchAndLock({
      queues: ["default"],
      limit: 1,
      serverName: "s1",
      lockTtlMs: 30_000,
      now,
    });
    const next = decide(job, { type: "deleted" }, { now });
    assert.deepEqual(
      await s.transition({ items: [{ id: job.id, guard: { state: job.state }, next }], now }),
      [true],
    );
    await waitUntil(() => seen.some((x) => x.kind === "cancelled"), { what: "a cancelled signal" });
    assert.deepEqual(seen.find((x) => x.kind === "cancelled"), { kind: "cancelled", id: job.id });
  } finally {
    await h.cleanup();
  }
});

Deno.test("listen: signals resume after the LISTEN connection is terminated", async () => {
  const appName = `qml-listen-${crypto.randomUUID().slice(0, 8)}`;
  const h = await openTestStorage({ applicationName: appName });
  try {
    const s = h.storage;
    const seen: StorageSignal[] = [];
    s.subscribe((sig) => seen.push(sig));
    await s.listening();
    const killed = await withAdmin((sql) =>
      sql`select pg_terminate_backend(pid) as ok from pg_stat_activity
          where application_name = ${appName + ":listen"}`
    );
    assert.equal(killed.length, 1, "one listen connection to kill");
    // Keep notifying until the re-established LISTEN hears one: no fixed sleeps.
    let n = 0;
    await waitUntil(async () => {
      await s.enqueue({ jobs: [createJob({ method: "m", args: n++, now, queue: "after" })], now });
      return seen.some((x) => x.kind === "ready" && x.queue === "after");
    }, { timeoutMs: 10_000, what: "a signal after the reconnect" });
    const listeners = await withAdmin((sql) =>
      sql`select pid from pg_stat_activity where application_name = ${appName + ":listen"}`
    );
    assert.equal(listeners.length, 1, "exactly one listen connection again");
  } finally {
    await h.cleanup();
  }
});

Deno.test("listen: schemas do not hear each other", async () => {
  const a = await openTestStorage();
  const b = await openTestStorage();
  try {
    const heardByB: StorageSignal[] = [];
    b.storage.subscribe((s) => heardByB.push(s));
    const heardByA: StorageSignal[] = [];
    a.storage.subscribe((s) => heardByA.push(s));
    await Promise.all([a.storage.listening(), b.storage.listening()]);
    await a.storage.enqueue({ jobs: [createJob({ method: "m", args: 1, now, queue: "qa" })], now });
    await b.storage.enqueue({ jobs: [createJob({ method: "m", args: 1, now, queue: "qb" })], now });
    await waitUntil(() => heardByA.length > 0 && heardByB.length > 0, { what: "both signals" });
    // B's own signal arrived after A's would have (A committed first): A's never came.
    assert.deepEqual(heardByB, [{ kind: "ready", queue: "qb" }]);
    assert.deepEqual(heardByA, [{ kind: "ready", queue: "qa" }]);
  } finally {
    await a.cleanup();
    await b.cleanup();
  }
});
