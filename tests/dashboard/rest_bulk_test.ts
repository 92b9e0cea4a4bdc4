/** REST: bulk retry and delete, by ids and by filter (every match, across batches). */
import assert from "node:assert/strict";
import { createDashboard } from "../../src/dashboard/app.ts";
import { BULK_BATCH } from "../../src/dashboard/bulk.ts";
import { call, eachBackend, enqueue, finishAll } from "./_harness.ts";

eachBackend(
  "bulk retry by filter reaches every matching job, beyond one batch",
  async (storage) => {
    const app = createDashboard({ storage });
    const n = BULK_BATCH + 37;
    await enqueue(
      storage,
      Array.from({ length: n }, (_, i) => ({ method: "f", args: { i }, queue: "q1" })),
    );
    await finishAll(storage, ["q1"], "failed");
    await enqueue(storage, [{ method: "f", queue: "q2" }]);
    await finishAll(storage, ["q2"], "failed");

    const res = await call(app.fetch, "POST", "/api/jobs/bulk", {
      body: { action: "retry", filter: { state: "Failed", queue: "q1" } },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { action: "retry", count: n });
    const counts = await storage.counts();
    assert.equal(counts.byQueue.q1.Enqueued, n);
    assert.equal(counts.byQueue.q1.Failed, 0);
    assert.equal(counts.byQueue.q2.Failed, 1, "the other queue is untouched");
  },
);

eachBackend(
  "bulk delete by ids and by filter; the state machine skips what it refuses",
  async (storage) => {
    const app = createDashboard({ storage });
    const jobs = await enqueue(
      storage,
      Array.from({ length: 6 }, (_, i) => ({ method: i < 3 ? "a" : "b" })),
    );
    const byIds = await call(app.fetch, "POST", "/api/jobs/bulk", {
      body: {
        action: "delete",
        ids: [jobs[0].id, jobs[1].id, "01900000-0000-7000-8000-000000000000"],
      },
    });
    assert.deepEqual(byIds.body, { action: "delete", count: 2 });
    assert.equal((await storage.get({ id: jobs[0].id }))?.state, "Deleted");

    const byFilter = await call(app.fetch, "POST", "/api/jobs/bulk", {
      body: { action: "delete", filter: { method: "b" } },
    });
    assert.equal(byFilter.body.count, 3);
    // Enqueued jobs cannot be retried: nothing changes, nothing is counted.
    const retry = await call(app.fetch, "POST", "/api/jobs/bulk", {
      body: { action: "retry", filter: { state: "Enqueued" } },
    });
    assert.equal(retry.body.count, 0);
    assert.equal((await storage.get({ id: jobs[2].id }))?.state, "Enqueued");
    // Deleted jobs can be retried.
    const undo = await call(app.fetch, "POST", "/api/jobs/bulk", {
      body: { action: "retry", filter: { state: "Deleted", method: "a" } },
    });
    assert.equal(undo.body.count, 2);
  },
);

eachBackend("bulk rejects bad requests with 400", async (storage) => {
  const app = createDashboard({ storage });
  const bad: unknown[] = [
    { action: "explode", filter: {} },
    { action: "retry" },
    { action: "retry", ids: ["x"], filter: {} },
    { action: "retry", ids: "x" },
    { action: "retry", ids: Array.from({ length: 1001 }, (_, i) => String(i)) },
    { action: "retry", filter: { state: "Nope" } },
    { action: "retry", filter: { colour: "red" } },
    { action: "retry", filter: [] },
  ];
  for (const body of bad) {
    const res = await call(app.fetch, "POST", "/api/jobs/bulk", { body });
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
    assert.equal(res.body.error.code, "BAD_REQUEST");
  }
});
