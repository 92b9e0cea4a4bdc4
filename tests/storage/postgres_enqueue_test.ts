/** Postgres-specific enqueue paths: the column-array batch format and unique keys. */
import assert from "node:assert/strict";
import { createJob, type Job } from "../../src/job.ts";
import { JOB_COLUMN_COUNT, jobColumns } from "../../src/storage/postgres/columns.ts";
import { openTestStorage } from "../_helpers/postgres.ts";

const T0 = new Date("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

/** Jobs that exercise every column: nulls, odd JSON values, set timestamps, shared history. */
function oddJobs(): Job[] {
  const base = createJob({ method: "m", args: null, now: T0 });
  return [
    base,
    createJob({ method: "m", args: "just a string", now: T0, queue: "q2", priority: -3 }),
    createJob({ method: "m", args: 0, now: at(1), runAt: at(60_000), maxAttempts: 1 }),
    createJob({ method: "m", args: [null, { a: [1, "ü"] }], now: at(2), timeoutMs: 5 }),
    {
      ...createJob({ method: "m", args: false, now: at(3), backoff: { type: "none" } }),
      state: "Failed",
      attempts: 2,
      startedAt: at(4),
      finishedAt: at(5),
      expiresAt: at(6),
      result: { partial: true },
      error: { name: "TypeError", message: "boom", stack: "at x", code: "E1" },
      progress: 42.5,
      history: [
        { state: "Enqueued", at: at(3), reason: "enqueued" },
        { state: "Processing", at: at(4), reason: "fetched", server: "s1" },
        {
          state: "Failed",
          at: at(5),
          reason: "failed",
          server: "s1",
          error: { name: "TypeError", message: "boom" },
        },
      ],
    },
    // Quotes and backslashes in every text column; a value spelled like NULL.
    createJob({
      method: 'say "hi" \\ {now}',
      args: { s: 'a"b\\c', t: "NULL" },
      now: T0,
      queue: 'q"\\,',
      traceContext: "NULL",
    }),
    createJob({ method: "NULL", args: "{}", now: T0, queue: "NULL" }),
    // Equal entries but for the reason: each keeps its own.
    { ...createJob({ method: "m", args: 1, now: T0 }), history: [{ ...base.history[0] }] },
    {
      ...createJob({ method: "m", args: 2, now: T0 }),
      history: [{ ...base.history[0], reason: 'r "2"' }],
    },
    {
      ...createJob({ method: "m", args: 3, now: T0 }),
      history: [{ ...base.history[0], server: "s" }],
    },
  ];
}

Deno.test("enqueue: every column round-trips through the encoded batch", async () => {
  const h = await openTestStorage();
  try {
    const jobs = oddJobs();
    const res = await h.storage.enqueue({ jobs, now: T0 });
    assert.ok(res.every((r) => r.created));
    for (const j of jobs) assert.deepEqual(await h.storage.get({ id: j.id }), j);
  } finally {
    await h.cleanup();
  }
});

Deno.test("enqueue: every column round-trips through the keyed statement too", async () => {
  const h = await openTestStorage();
  try {
    const jobs = oddJobs().map((j, i) => ({ ...j, uniqueKey: `k "${i}" \\` }));
    const res = await h.storage.enqueue({ jobs, now: T0 });
    assert.ok(res.every((r) => r.created));
    for (const j of jobs) assert.deepEqual(await h.storage.get({ id: j.id }), j);
  } finally {
    await h.cleanup();
  }
});

Deno.test("enqueue: a batch travels as one array literal per column; all-null columns as {}", () => {
  const jobs = Array.from(
    { length: 100 },
    (_, i) => createJob({ method: "m", args: i, now: at(i) }),
  );
  const cols = jobColumns(jobs);
  assert.equal(cols.length, JOB_COLUMN_COUNT);
  assert.equal(cols[0], `{${jobs.map((j) => `"${j.id}"`).join(",")}}`);
  assert.equal(cols[2], `{${jobs.map((_, i) => `"${i}"`).join(",")}}`);
  assert.equal(cols[4], `{${jobs.map(() => '"0"').join(",")}}`);
  assert.equal(cols[11], `{${jobs.map((j) => `"${j.createdAt.toISOString()}"`).join(",")}}`);
  // started, finished, expires, result, error, unique key: null in every row.
  for (const k of [12, 13, 14, 15, 16, 17]) assert.equal(cols[k], "{}", `column ${k}`);
});

Deno.test("enqueue: duplicate keys inside one batch store the first and point the rest at it", async () => {
  const h = await openTestStorage();
  try {
    const jobs = [
      createJob({ method: "m", args: 1, now: T0, uniqueKey: "a" }),
      createJob({ method: "m", args: 2, now: T0, uniqueKey: "b" }),
      createJob({ method: "m", args: 3, now: T0, uniqueKey: "a" }),
      createJob({ method: "m", args: 4, now: T0 }),
      createJob({ method: "m", args: 5, now: T0, uniqueKey: "b" }),
    ];
    const res = await h.storage.enqueue({ jobs, now: T0 });
    assert.deepEqual(res.map((r) => r.created), [true, true, false, true, false]);
    assert.equal(res[2].job.id, jobs[0].id);
    assert.equal(res[4].job.id, jobs[1].id);
    assert.equal((await h.storage.counts()).byState.Enqueued, 3);
  } finally {
    await h.cleanup();
  }
});

Deno.test("enqueue: a bulk batch of 5,000 keyed jobs, half of them taken", async () => {
  const h = await openTestStorage();
  try {
    const first = Array.from(
      { length: 2_500 },
      (_, i) => createJob({ method: "m", args: i, now: T0, uniqueKey: `k${i}` }),
    );
    await h.storage.enqueue({ jobs: first, now: T0 });
    const second = Array.from(
      { length: 5_000 },
      (_, i) => createJob({ method: "m", args: i, now: T0, uniqueKey: `k${i}` }),
    );
    const res = await h.storage.enqueue({ jobs: second, now: T0 });
    assert.equal(res.filter((r) => r.created).length, 2_500);
    for (let i = 0; i < 2_500; i++) assert.equal(res[i].job.id, first[i].id);
    for (let i = 2_500; i < 5_000; i++) assert.equal(res[i].job.id, second[i].id);
  } finally {
    await h.cleanup();
  }
});

Deno.test("enqueue: concurrent enqueuers on separate pools store one job per key", async () => {
  const main = await openTestStorage();
  const others = await Promise.all(
    [1, 2, 3].map(() => openTestStorage({ schema: main.schema, autoMigrate: false })),
  );
  try {
    const storages = [main.storage, ...others.map((o) => o.storage)];
    const results = await Promise.all(storages.map((s) =>
      s.enqueue({
        jobs: Array.from(
          { length: 50 },
          (_, i) => createJob({ method: "m", args: i, now: T0, uniqueKey: `u${i}` }),
        ),
        now: T0,
      })
    ));
    assert.equal(results.flat().filter((r) => r.created).length, 50);
    for (let i = 0; i < 50; i++) {
      const ids = new Set(results.map((r) => r[i].job.id));
      assert.equal(ids.size, 1, `key u${i} resolved to one job for every enqueuer`);
    }
    assert.equal((await main.storage.counts()).byState.Enqueued, 50);
  } finally {
    for (const o of others) await o.storage.close();
    await main.cleanup();
  }
});
