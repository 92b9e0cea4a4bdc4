import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { ConfigError, StorageError } from "../../src/errors.ts";
import { createJob } from "../../src/job.ts";
import { JobState } from "../../src/job_state.ts";
import { decide } from "../../src/transitions.ts";
import { RedisStorage } from "../../src/storage/redis/redis_storage.ts";
import type { StorageSignal } from "../../src/storage/storage.ts";
import { runStorageConformance } from "./conformance/mod.ts";
import { at, job, put, T0, take } from "./conformance/fixtures.ts";
import { keySlot, openTestStorage, prefixKeys, testPrefix, withRedis } from "../_helpers/redis.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { startPrivateRedis } from "../_helpers/private_redis.ts";

runStorageConformance("redis", () => openTestStorage());

/** A backend-only case on a fresh prefix, always cleaned up. */
function redisCase(
  name: string,
  fn: (s: RedisStorage, prefix: string) => Promise<void>,
  config: Parameters<typeof openTestStorage>[0] = {},
): void {
  Deno.test(`[redis only] ${name}`, async () => {
    const h = await openTestStorage(config);
    try {
      await fn(h.storage, h.prefix);
    } finally {
      await h.cleanup();
    }
  });
}

const raw = (s: RedisStorage) => s.redis as Redis;

redisCase("scripts survive SCRIPT FLUSH (NOSCRIPT → EVAL fallback)", async (s) => {
  const [a] = await put(s, job());
  await raw(s).script("FLUSH");
  const [b] = await put(s, job());
  const got = await take(s, { limit: 5 });
  assert.deepEqual(got.map((j) => j.id).sort(), [a.id, b.id].sort());
});

redisCase("every key of a prefix shares one hash tag and one cluster slot", async (s, prefix) => {
  const [j, sched] = await put(s, job({ uniqueKey: "u1" }), job({ runAt: at(5_000) }));
  await put(s, job({ queue: "other:queue" }));
  const [running] = await take(s);
  assert.equal(running.id, j.id);
  await s.transition({
    items: [{
      id: j.id,
      guard: { state: JobState.Processing, lockedBy: "s1" },
      next: decide(running, { type: "succeeded", result: 1 }, { now: T0 }),
    }],
    now: T0,
  });
  await s.upsertRecurring({
    template: {
      name: "r1",
      cron: "* * * * *",
      timezone: null,
      method: "m",
      args: null,
      queue: "default",
      priority: 0,
      maxAttempts: null,
      missedTicks: "skip",
    },
    now: T0,
  });
  await s.acquireLease({ name: "leader", holder: "s1", ttlMs: 1_000, now: T0 });
  await put(s, job({ uniqueKey: "u2" }));
  const keys = await prefixKeys(raw(s), prefix);
  // Jobs, histories, ready, scheduled, expiry, per-state sets, queues, unique, recurring, lease.
  assert.ok(keys.length >= 12, `only ${keys.length} keys: ${keys.join(", ")}`);
  const slot = keySlot(s.keys.base);
  for (const key of keys) {
    assert.ok(key.startsWith(`{${prefix}}:`), key);
    assert.equal(keySlot(key), slot, key);
  }
  // The keys Lua derives from KEYS[1] are the ones keys.ts names.
  for (const key of [s.keys.job(sched.id), s.keys.history(sched.id), s.keys.scheduled]) {
    assert.ok(keys.includes(key), key);
  }
  assert.ok(keys.includes(s.keys.ready("other:queue")));
  assert.ok(keys.includes(s.keys.expiry));
  assert.ok(keys.includes(s.keys.queueState("default", JobState.Succeeded)));
});

redisCase("a killed connection reconnects; commands and signals go on", async (s, prefix) => {
  const got: StorageSignal[] = [];
  const off = s.subscribe((sig) => got.push(sig));
  try {
    await waitUntil(async () => {
      await put(s, job({ queue: "wake" }));
      return got.some((g) => g.kind === "ready" && g.queue === "wake");
    }, { intervalMs: 20, what: "first signal" });
    await withRedis(async (admin) => {
      const list = await admin.client("LIST") as string;
      const ids = list.split("\n").filter((l) => l.includes(` name=qml:${prefix}:`))
        .map((l) => /(?:^|\s)id=(\d+)/.exec(l)![1]);
      assert.equal(ids.length, 2, "one command and one subscriber connection");
      for (const id of ids) await admin.client("KILL", "ID", id);
    });
    // The next command waits in the offline queue until the reconnect.
    const [after] = await put(s, job({ queue: "after" }));
    assert.equal((await s.get({ id: after.id }))?.queue, "after");
    got.length = 0;
    await waitUntil(async () => {
      await put(s, job({ queue: "wake2" }));
      return got.some((g) => g.kind === "ready" && g.queue === "wake2");
    }, { intervalMs: 20, what: "signal after re-subscribe" });
    const [last] = await put(s, job({ queue: "last" }));
    const taken = await take(s, { queues: ["last"] });
    assert.deepEqual(taken.map((j) => j.id), [last.id]);
  } finally {
    off();
  }
});

redisCase(
  "completedJobTtlMs expires final jobs in Redis; purge still cleans the indexes",
  async (s) => {
    const [a, b] = await put(s, job({ uniqueKey: "k" }), job());
    const running = await take(s, { limit: 2 });
    const items = running.map((j) => ({
      id: j.id,
      guard: { state: JobState.Processing, lockedBy: "s1" },
      next: decide(j, { type: "succeeded", result: null }, { now: at(1) }),
    }));
    assert.deepEqual(await s.transition({ items, now: at(1) }), [true, true]);
    const ttl = await raw(s).pttl(s.keys.job(a.id));
    assert.ok(ttl > 0 && ttl <= 3_600_000, `pttl ${ttl}`);
    assert.ok(await raw(s).pttl(s.keys.history(a.id)) > 0);
    // Requeue takes the job out of the final state: no expiry any more.
    const done = (await s.get({ id: a.id }))!;
    await s.transition({
      items: [{
        id: a.id,
        guard: { state: JobState.Succeeded },
        next: decide(done, { type: "requeued" }, { now: at(2) }),
      }],
      now: at(2),
    });
    assert.equal(await raw(s).pttl(s.keys.job(a.id)), -1);
    // Simulate Redis expiring b's hash before the sweep ran.
    await raw(s).del(s.keys.job(b.id), s.keys.history(b.id));
    assert.equal(await s.purgeExpired({ now: at(400 * 86_400_000), limit: 10 }), 1);
    const counts = await s.counts();
    assert.equal(counts.byState.Succeeded, 0);
    assert.equal(counts.byState.Enqueued, 1);
    assert.deepEqual((await s.list({ limit: 10 })).jobs.map((j) => j.id), [a.id]);
  },
  { completedJobTtlMs: 3_600_000 },
);

redisCase("bulk enqueue across chunks dedupes unique keys and keeps order", async (s) => {
  const jobs = Array.from(
    { length: 1_200 },
    (_, i) => job({ args: { i }, uniqueKey: i === 10 || i === 1_100 ? "dup" : null }),
  );
  const res = await s.enqueue({ jobs, now: T0 });
  assert.equal(res.length, 1_200);
  assert.equal(res.filter((r) => !r.created).length, 1);
  assert.equal(res[1_100].created, false);
  assert.equal(res[1_100].job.id, jobs[10].id);
  assert.deepEqual(res.slice(0, 5).map((r) => r.job.id), jobs.slice(0, 5).map((j) => j.id));
  assert.equal((await s.counts()).byState.Enqueued, 1_199);
});

redisCase("odd values round-trip exactly", async (s) => {
  const odd = createJob({
    method: 'mäthod "quoted" 🚀',
    args: { text: "line\nbreak \u0000 nul ✓", big: 2 ** 53 - 1, neg: -0.5, nested: [[{}]] },
    queue: "q:with:colons",
    priority: -12.5,
    runAt: new Date(-1_000),
    now: T0,
    timeoutMs: 1,
    backoff: { type: "fixed", delayMs: 5 },
  });
  const [stored] = await put(s, odd);
  assert.deepEqual(await s.get({ id: odd.id }), odd);
  assert.deepEqual(stored, odd);
  const [fetched] = await take(s, { queues: ["q:with:colons"] });
  assert.equal(fetched.id, odd.id);
  assert.deepEqual(fetched.args, odd.args);
});

redisCase("enqueue inside a caller transaction is refused", async (s) => {
  await assert.rejects(s.enqueue({ jobs: [job()], now: T0, tx: {} }), ConfigError);
});

// A private server: the shared Redis serves other test files at the same time, and they must
// never see an evicting policy.
Deno.test("[redis only] an evicting maxmemory-policy warns, or fails when asked", async () => {
  const redis = await startPrivateRedis(["--maxmemory-policy", "allkeys-lru"]);
  try {
    const warnings: string[] = [];
    const s = await RedisStorage.connect({
      url: redis.url,
      keyPrefix: testPrefix(),
      onWarning: (m) => warnings.push(m),
    });
    await s.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /allkeys-lru/);
    assert.match(warnings[0], /SILENTLY LOST/);
    await assert.rejects(
      RedisStorage.connect({
        url: redis.url,
        keyPrefix: testPrefix(),
        maxmemoryPolicy: "fail",
        onWarning: () => {},
      }),
      (err: unknown) => err instanceof ConfigError && /maxmemoryPolicy/.test(err.message),
    );
  } finally {
    await redis.stop();
  }
});

Deno.test("[redis only] an unreachable Redis is a StorageError with the cause", async () => {
  const err = await RedisStorage.connect({
    url: "redis://127.0.0.1:1",
    keyPrefix: testPrefix(),
    connectTimeoutMs: 1_000,
    onWarning: () => {},
  }).then(() => null, (e) => e);
  assert.ok(err instanceof StorageError, String(err));
  assert.match(err.message, /127\.0\.0\.1:1/);
  assert.ok(err.cause);
});

redisCase("list merges queues and states newest first, page by page", async (s) => {
  const jobs = Array.from(
    { length: 30 },
    (_, i) => job({ queue: `q${i % 3}`, runAt: i % 4 === 0 ? at(60_000) : T0, args: { i } }),
  );
  await put(s, ...jobs);
  await take(s, { queues: ["q1"], limit: 3 });
  const walk = async (p: { state?: JobState; queue?: string; search?: string }) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await s.list({ ...p, limit: 4, cursor });
      ids.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  };
  const expect = async (p: { state?: JobState; queue?: string }) => {
    const all = await Promise.all(jobs.map((j) => s.get({ id: j.id })));
    return all.filter((j) =>
      (!p.state || j!.state === p.state) && (!p.queue || j!.queue === p.queue)
    )
      .map((j) => j!.id).reverse();
  };
  for (
    const p of [{}, { state: JobState.Enqueued }, { queue: "q1" }, {
      queue: "q1",
      state: JobState.Processing,
    }, { state: JobState.Scheduled }]
  ) {
    assert.deepEqual(await walk(p), await expect(p), JSON.stringify(p));
  }
  assert.deepEqual(await walk({ search: "TEST_METHOD" }), jobs.map((j) => j.id).reverse());
});

redisCase(
  "a bulk enqueue writes every index, across index chunks and odd queue names",
  async (s) => {
    // 2,500 jobs: the ready set of "add" and the per-state sets take several ZADD chunks.
    const jobs = Array.from(
      { length: 2_500 },
      (_, i) =>
        i % 5 === 4
          ? job({ queue: "flush", runAt: at(1_000 + i) }) // Scheduled
          : job({ queue: i % 2 ? "add" : "queues", priority: i % 7 }),
    );
    await put(s, ...jobs);
    const counts = await s.counts();
    assert.deepEqual(
      Object.fromEntries(Object.entries(counts.byQueue).map(([q, c]) => [q, c.Enqueued ?? 0])),
      { add: 1_000, queues: 1_000, flush: 0 },
    );
    assert.equal(counts.byState.Scheduled, 500);
    assert.deepEqual((await raw(s).smembers(s.keys.queues)).sort(), ["add", "flush", "queues"]);
    // The ready set orders by priority, then run time and id, as one job at a time would.
    const got = await take(s, { queues: ["add"], limit: 1_000 });
    const expected = jobs.filter((j) => j.queue === "add")
      .sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
    assert.deepEqual(got.map((j) => j.id), expected.map((j) => j.id));
    assert.equal((await s.counts()).byState.Processing, 1_000);
  },
);
