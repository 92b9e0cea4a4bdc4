import assert from "node:assert/strict";
import { JobState } from "../../../src/job_state.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, finish, job, must, put, T0, take } from "./fixtures.ts";

export function enqueueCases(ctx: ConformanceContext): void {
  const area = "enqueue";

  conformanceCase(ctx, area, "stores every field and reads it back", async (s) => {
    const j = job({
      method: "send_email",
      args: { to: "ä@b.c", list: [1, 2.5, null, { deep: true }], text: '多言語 "quoted"' },
      queue: "mail",
      priority: 7,
      maxAttempts: 3,
      backoff: { type: "fixed", delayMs: 250 },
      timeoutMs: 1234,
      uniqueKey: "k1",
    });
    const [stored] = await put(s, j);
    assert.deepEqual(stored, j);
    assert.deepEqual(await must(s, j.id), j);
    assert.equal(stored.state, JobState.Enqueued);
    assert.equal(stored.history.length, 1);
  });

  conformanceCase(
    ctx,
    area,
    "the stored job shares nothing mutable with the caller's",
    async (s) => {
      const j = job({ args: { list: [1, 2] }, backoff: { type: "fixed", delayMs: 250 } });
      const before = structuredClone(j);
      const [{ job: back }] = await s.enqueue({ jobs: [j], now: T0 });
      for (const k of [j, back]) {
        (k.args as { list: number[] }).list.push(3);
        k.createdAt.setTime(0);
        k.runAt.setTime(0);
        k.history[0].at.setTime(0);
        k.history.push({ state: JobState.Failed, at: T0 });
        (k.backoff as { delayMs: number }).delayMs = 1;
      }
      assert.deepEqual(await must(s, j.id), before);
    },
  );

  conformanceCase(ctx, area, "a future runAt is Scheduled", async (s) => {
    const j = job({ runAt: at(60_000) });
    await put(s, j);
    const got = await must(s, j.id);
    assert.equal(got.state, JobState.Scheduled);
    assert.equal(got.runAt.getTime(), at(60_000).getTime());
  });

  conformanceCase(ctx, area, "a batch keeps input order", async (s) => {
    const jobs = Array.from({ length: 25 }, (_, i) => job({ args: { i } }));
    const res = await s.enqueue({ jobs, now: T0 });
    assert.deepEqual(res.map((r) => r.job.id), jobs.map((j) => j.id));
    assert.ok(res.every((r) => r.created));
    assert.equal((await s.counts()).byState.Enqueued, 25);
  });

  conformanceCase(ctx, area, "a live unique key returns the holder", async (s) => {
    const first = job({ uniqueKey: "email:a" });
    await put(s, first);
    const [res] = await s.enqueue({ jobs: [job({ uniqueKey: "email:a" })], now: T0 });
    assert.equal(res.created, false);
    assert.equal(res.job.id, first.id);
    assert.equal((await s.counts()).byState.Enqueued, 1);
  });

  conformanceCase(ctx, area, "unique keys are deduplicated within one batch", async (s) => {
    const a = job({ uniqueKey: "u" }), b = job({ uniqueKey: "u" }), c = job({ uniqueKey: "v" });
    const res = await s.enqueue({ jobs: [a, b, c], now: T0 });
    assert.deepEqual(res.map((r) => r.created), [true, false, true]);
    assert.equal(res[1].job.id, a.id);
    assert.equal(await s.get({ id: b.id }), null);
  });

  conformanceCase(ctx, area, "a unique key is free again once its job is final", async (s) => {
    await put(s, job({ uniqueKey: "once" }));
    const [running] = await take(s);
    assert.ok(await finish(s, running, { type: "succeeded", result: 1 }));
    const [res] = await s.enqueue({ jobs: [job({ uniqueKey: "once" })], now: T0 });
    assert.equal(res.created, true);
    assert.notEqual(res.job.id, running.id);
  });

  conformanceCase(ctx, area, "a scheduled job holds its unique key", async (s) => {
    const first = job({ uniqueKey: "later", runAt: at(5_000) });
    await put(s, first);
    const [res] = await s.enqueue({ jobs: [job({ uniqueKey: "later" })], now: T0 });
    assert.equal(res.created, false);
    assert.equal(res.job.id, first.id);
  });
}

/** The W3C trace context travels with the job: stored, read back, and handed out by a fetch. */
export function traceContextCases(ctx: ConformanceContext): void {
  const area = "enqueue";
  const tc = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01;vendor=opaque,other=x";

  conformanceCase(ctx, area, "the trace context round-trips (get, list, fetch)", async (s) => {
    const traced = job({ traceContext: tc });
    const plain = job({});
    await s.enqueue({ jobs: [traced, plain], now: T0 });
    assert.equal((await must(s, traced.id)).traceContext, tc);
    assert.equal((await must(s, plain.id)).traceContext, null);
    const page = await s.list({ limit: 10 });
    assert.deepEqual(page.jobs.map((j) => j.traceContext).sort(), [tc, null].sort());
    const fetched = await take(s, { limit: 2 });
    assert.equal(fetched.find((j) => j.id === traced.id)?.traceContext, tc);
    assert.equal(fetched.find((j) => j.id === plain.id)?.traceContext, null);
  });
}
