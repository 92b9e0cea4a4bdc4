import assert from "node:assert/strict";
import { ALL_STATES, JobState } from "../../../src/job_state.ts";
import { uuidv7 } from "../../../src/ids.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, finish, job, put, take } from "./fixtures.ts";
import { decide } from "../../../src/transitions.ts";

export function queryCases(ctx: ConformanceContext): void {
  const area = "query";

  conformanceCase(ctx, area, "get of an unknown id is null", async (s) => {
    assert.equal(await s.get({ id: uuidv7() }), null);
  });

  conformanceCase(ctx, area, "list pages newest first with a cursor", async (s) => {
    const jobs = Array.from({ length: 23 }, (_, i) => job({ args: { i } }));
    await put(s, ...jobs);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await s.list({ limit: 10, cursor });
      seen.push(...page.jobs.map((j) => j.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 3);
    assert.deepEqual(seen, jobs.map((j) => j.id).reverse());
  });

  conformanceCase(ctx, area, "list filters by state, queue, method and search", async (s) => {
    const a = job({ method: "resize_image", queue: "media" });
    const b = job({ method: "send_email", queue: "mail" });
    const c = job({ method: "send_email", queue: "mail", runAt: at(10_000) });
    await put(s, a, b, c);
    const ids = async (p: Parameters<typeof s.list>[0]) => (await s.list(p)).jobs.map((j) => j.id);
    assert.deepEqual(await ids({ limit: 50, state: JobState.Scheduled }), [c.id]);
    assert.deepEqual(await ids({ limit: 50, queue: "media" }), [a.id]);
    assert.deepEqual(await ids({ limit: 50, method: "send_email" }), [c.id, b.id]);
    assert.deepEqual(await ids({ limit: 50, search: "RESIZE" }), [a.id]);
    assert.deepEqual(await ids({ limit: 50, search: b.id }), [b.id]);
    assert.deepEqual(await ids({ limit: 50, queue: "mail", state: JobState.Enqueued }), [b.id]);
    assert.deepEqual(await ids({ limit: 50, queue: "nope" }), []);
  });

  conformanceCase(ctx, area, "counts by state and by queue, zeros included", async (s) => {
    await put(s, job({ queue: "q1" }), job({ queue: "q1" }), job({ queue: "q2", runAt: at(1000) }));
    const [running] = await take(s, { queues: ["q1"], limit: 1 });
    assert.ok(await finish(s, running, { type: "succeeded", result: null }));
    const counts = await s.counts();
    assert.deepEqual(Object.keys(counts.byState).sort(), [...ALL_STATES].sort());
    assert.equal(counts.byState.Enqueued, 1);
    assert.equal(counts.byState.Succeeded, 1);
    assert.equal(counts.byState.Scheduled, 1);
    assert.equal(counts.byState.Failed, 0);
    assert.deepEqual(Object.keys(counts.byQueue).sort(), ["q1", "q2"]);
    assert.equal(counts.byQueue.q1.Enqueued, 1);
    assert.equal(counts.byQueue.q1.Succeeded, 1);
    assert.equal(counts.byQueue.q2.Scheduled, 1);
    assert.equal(counts.byQueue.q2.Processing, 0);
  });

  conformanceCase(ctx, area, "counts follow every change, purge included", async (s) => {
    await put(s, job({ queue: "q1" }), job({ queue: "q1" }), job({ queue: "q2" }));
    const fetched = await take(s, { queues: ["q1", "q2"], limit: 3 });
    let c = await s.counts();
    assert.equal(c.byState.Processing, 3);
    assert.equal(c.byState.Enqueued, 0);
    const expiring = { succeededMs: 1, failedMs: 1, deletedMs: 1 };
    for (const j of fetched) {
      const next = decide(j, { type: "succeeded", result: null }, { now: at(10), ttls: expiring });
      await s.transition({ items: [{ id: j.id, guard: { state: j.state }, next }], now: at(10) });
    }
    c = await s.counts();
    assert.equal(c.byState.Succeeded, 3);
    assert.equal(c.byQueue.q1.Succeeded, 2);
    assert.equal(c.byQueue.q2.Processing, 0);
    assert.equal(await s.purgeExpired({ now: at(1_000), limit: 10 }), 3);
    c = await s.counts();
    assert.deepEqual(Object.values(c.byState).reduce((a, b) => a + b, 0), 0);
    assert.deepEqual(c.byQueue, {});
  });

  conformanceCase(
    ctx,
    area,
    "oldestReady: earliest runAt of the Enqueued jobs per queue",
    async (s) => {
      assert.deepEqual(await s.oldestReady(), {});
      const ready = (queue: string, priority: number, ms: number) =>
        job({ queue, priority, now: at(ms) });
      // q1 holds three priorities; its oldest job has the lowest one.
      await put(
        s,
        ready("q1", 5, -1_000),
        ready("q1", 0, -3_000),
        ready("q1", 0, -5_000),
        ready("q1", 0, -4_000),
        ready("q1", 10, -200),
        ready("q2", -3, -300),
        job({ queue: "q3", runAt: at(60_000) }), // Scheduled: not ready
      );
      assert.deepEqual(await s.oldestReady(), { q1: at(-5_000), q2: at(-300) });
      // Fetching takes the high priorities first: the oldest stays until it is taken.
      await take(s, { queues: ["q1"], limit: 2 });
      assert.deepEqual((await s.oldestReady()).q1, at(-5_000));
      await take(s, { queues: ["q1"], limit: 1 });
      assert.deepEqual((await s.oldestReady()).q1, at(-4_000));
      await take(s, { queues: ["q1", "q2"], limit: 10 });
      assert.deepEqual(await s.oldestReady(), {});
      // A promoted job is ready since its runAt.
      await s.promoteDue({ now: at(61_000), limit: 10 });
      assert.deepEqual(await s.oldestReady(), { q3: at(60_000) });
    },
  );
}
