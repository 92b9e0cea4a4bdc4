/** REST: listing, searching, reading, enqueuing, retrying and deleting jobs, on every backend. */
import assert from "node:assert/strict";
import { createDashboard } from "../../src/dashboard/app.ts";
import { call, eachBackend, enqueue, finishAll } from "./_harness.ts";

eachBackend("GET /api/jobs filters, pages by cursor and rejects bad input", async (storage) => {
  const app = createDashboard({ storage });
  await enqueue(storage, [
    ...Array.from({ length: 5 }, (_, i) => ({ method: "mail", args: { n: i }, queue: "a" })),
    ...Array.from({ length: 3 }, (_, i) => ({ method: "report", args: { n: i }, queue: "b" })),
  ]);
  const all = await call(app.fetch, "GET", "/api/jobs");
  assert.equal(all.status, 200);
  assert.equal(all.body.jobs.length, 8);
  assert.equal(all.body.jobs[0].history, undefined, "list rows leave the history out");
  const ids = all.body.jobs.map((j: { id: string }) => j.id);
  assert.deepEqual(ids, [...ids].sort().reverse(), "newest first");

  const a = await call(app.fetch, "GET", "/api/jobs?queue=a&state=Enqueued");
  assert.equal(a.body.jobs.length, 5);
  assert.ok(a.body.jobs.every((j: { queue: string }) => j.queue === "a"));
  const r = await call(app.fetch, "GET", "/api/jobs?method=report");
  assert.equal(r.body.jobs.length, 3);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { body: { jobs: { id: string }[]; nextCursor: string | null } } = await call(
      app.fetch,
      "GET",
      `/api/jobs?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    assert.ok(page.body.jobs.length <= 3);
    seen.push(...page.body.jobs.map((j) => j.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, ids, "cursor paging walks every job once, in order");

  const future = await call(app.fetch, "GET", `/api/jobs?from=${Date.now() + 3_600_000}`);
  assert.equal(future.body.jobs.length, 0);

  for (
    const bad of [
      "state=Nope",
      "limit=0",
      "limit=1001",
      "limit=abc",
      "from=yesterday",
      "colour=red",
    ]
  ) {
    const res = await call(app.fetch, "GET", `/api/jobs?${bad}`);
    assert.equal(res.status, 400, bad);
    assert.equal(res.body.error.code, "BAD_REQUEST");
    assert.equal(typeof res.body.error.message, "string");
  }
});

eachBackend(
  "search finds jobs by id prefix, method, key:value and text in args",
  async (storage) => {
    const app = createDashboard({ storage });
    const [alice, bob] = await enqueue(storage, [
      { method: "send_email", args: { to: "alice@example.com", plan: "gold" } },
      { method: "send_email", args: { to: "bob@example.com", plan: "free" } },
      { method: "resize_image", args: { path: "/img/cat.png" } },
    ]);
    const ids = async (search: string) =>
      (await call(app.fetch, "GET", `/api/jobs?search=${encodeURIComponent(search)}`)).body.jobs
        .map((j: { id: string }) => j.id).sort();
    assert.deepEqual(await ids("plan:gold"), [alice.id]);
    assert.deepEqual(await ids("bob@example"), [bob.id]);
    assert.deepEqual(await ids(alice.id.slice(0, 30)), [alice.id]);
    assert.equal((await ids("resize")).length, 1);
    assert.equal((await ids("SEND_EMAIL")).length, 2);
    assert.deepEqual(await ids("nothing-like-this"), []);
  },
);

eachBackend("GET /api/jobs/:id returns the job with history, error and stack", async (storage) => {
  const app = createDashboard({ storage });
  const [job] = await enqueue(storage, [{ method: "fails", args: { x: 1 } }]);
  await finishAll(storage, ["default"], "failed");
  const res = await call(app.fetch, "GET", `/api/jobs/${job.id}`);
  assert.equal(res.status, 200);
  assert.equal(res.body.job.state, "Failed");
  assert.deepEqual(res.body.job.args, { x: 1 });
  assert.equal(res.body.job.error.message, "boom");
  assert.match(res.body.job.error.stack, /at work/);
  assert.deepEqual(
    res.body.job.history.map((h: { state: string }) => h.state),
    ["Enqueued", "Processing", "Failed"],
  );
  const missing = await call(app.fetch, "GET", "/api/jobs/01900000-0000-7000-8000-000000000000");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, "NOT_FOUND");
});

eachBackend("POST /api/jobs enqueues; bad input is a 400 naming the problem", async (storage) => {
  const app = createDashboard({ storage });
  const ok = await call(app.fetch, "POST", "/api/jobs", {
    body: { method: "send_email", args: { to: "x@y.z" }, options: { queue: "mail", priority: 3 } },
  });
  assert.equal(ok.status, 201);
  const stored = await storage.get({ id: ok.body.job.id });
  assert.equal(stored?.queue, "mail");
  assert.equal(stored?.priority, 3);
  assert.equal(stored?.state, "Enqueued");
  const later = await call(app.fetch, "POST", "/api/jobs", {
    body: { method: "m", options: { delayMs: 60_000 } },
  });
  assert.equal(later.body.job.state, "Scheduled");

  const cases: [unknown, RegExp][] = [
    [{ args: {} }, /method/],
    [{ method: "m", options: { queue: "bad queue!" } }, /queue/],
    [{ method: "m", options: { priority: "high" } }, /priority/],
    [{ method: "m", options: { colour: 1 } }, /colour/],
    [{ method: "m", options: { runAt: "soon" } }, /runAt/],
    ["{not json", /JSON/],
    [[1, 2], /object/],
  ];
  for (const [body, re] of cases) {
    const res = await call(app.fetch, "POST", "/api/jobs", { body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.match(res.body.error.message, re);
  }
  const form = await call(app.fetch, "POST", "/api/jobs", {
    body: "method=m",
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(form.status, 400, "a form post (CSRF vector) is refused");
  assert.equal((await storage.counts()).byState.Enqueued, 1);
});

eachBackend("retry and delete follow the state machine: 200, 404, 409", async (storage) => {
  const app = createDashboard({ storage });
  const [failed] = await enqueue(storage, [{ method: "f" }]);
  await finishAll(storage, ["default"], "failed");
  const [waiting] = await enqueue(storage, [{ method: "w" }]);

  const retried = await call(app.fetch, "POST", `/api/jobs/${failed.id}/retry`);
  assert.equal(retried.status, 200);
  assert.equal(retried.body.job.state, "Enqueued");
  assert.equal((await storage.get({ id: failed.id }))?.state, "Enqueued");

  const notFinal = await call(app.fetch, "POST", `/api/jobs/${waiting.id}/retry`);
  assert.equal(notFinal.status, 409);
  assert.equal(notFinal.body.error.code, "ILLEGAL_TRANSITION");

  const del = await call(app.fetch, "POST", `/api/jobs/${waiting.id}/delete`);
  assert.equal(del.status, 200);
  assert.equal((await storage.get({ id: waiting.id }))?.state, "Deleted");
  const again = await call(app.fetch, "DELETE", `/api/jobs/${waiting.id}`);
  assert.equal(again.status, 409);
  const del2 = await call(app.fetch, "DELETE", `/api/jobs/${failed.id}`);
  assert.equal(del2.status, 200);

  const unknown = "01900000-0000-7000-8000-000000000000";
  assert.equal((await call(app.fetch, "POST", `/api/jobs/${unknown}/retry`)).status, 404);
  assert.equal((await call(app.fetch, "POST", `/api/jobs/${unknown}/delete`)).status, 404);
  assert.equal((await call(app.fetch, "DELETE", `/api/jobs/${unknown}`)).status, 404);
  // GET never changes anything: there is no GET route for an action.
  assert.equal((await call(app.fetch, "GET", `/api/jobs/${failed.id}/retry`)).status, 404);
});
