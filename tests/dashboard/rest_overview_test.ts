/** REST: stats, queues, servers, metrics and recurring templates, on every backend. */
import assert from "node:assert/strict";
import { createDashboard } from "../../src/dashboard/app.ts";
import { createJob } from "../../src/job.ts";
import { METRIC_BUCKETS_MS } from "../../src/metrics.ts";
import type { ServerInfo } from "../../src/server_info.ts";
import { call, eachBackend, enqueue, finishAll } from "./_harness.ts";

function server(name: string, heartbeatAt: Date): ServerInfo {
  return {
    name,
    host: "host-1",
    pid: 42,
    startedAt: new Date(heartbeatAt.getTime() - 60_000),
    heartbeatAt,
    queues: ["default"],
    concurrency: 4,
    inFlight: 1,
    execution: "workers",
    version: "0.1.0",
  };
}

function histogram(at: number): number[] {
  const h = new Array(METRIC_BUCKETS_MS.length + 1).fill(0);
  h[at] = 1;
  return h;
}

eachBackend(
  "stats, queues, servers and metrics come from counts, servers and history",
  async (storage) => {
    const app = createDashboard({ storage, serverHeartbeatMs: 10_000 });
    await enqueue(storage, [{ queue: "mail" }, { queue: "mail" }, { queue: "video" }]);
    await finishAll(storage, ["video"], "succeeded");
    const now = await storage.time();
    await storage.recordServer({ server: server("alive-1", now) });
    await storage.recordServer({ server: server("gone-1", new Date(now.getTime() - 120_000)) });
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    await storage.recordActivity({
      metrics: [
        {
          at: minute,
          queue: "video",
          method: "m",
          succeeded: 30,
          failed: 6,
          retried: 0,
          runMs: histogram(3),
          waitMs: histogram(1),
        },
      ],
      changes: [],
    });

    const stats = await call(app.fetch, "GET", "/api/stats");
    assert.equal(stats.status, 200);
    assert.equal(stats.body.byState.Enqueued, 2);
    assert.equal(stats.body.byState.Succeeded, 1);
    assert.equal(stats.body.byState.Failed, 0);
    assert.equal(stats.body.byQueue.mail.Enqueued, 2);
    assert.deepEqual(stats.body.servers, { alive: 1, gone: 1 });
    assert.ok(stats.body.jobsPerSecond > 0 && stats.body.jobsPerSecond <= 36 / 60);
    assert.ok(stats.body.failuresPerSecond > 0);

    const queues = await call(app.fetch, "GET", "/api/queues");
    assert.deepEqual(queues.body.queues.map((q: { name: string }) => q.name), ["mail", "video"]);
    const video = queues.body.queues[1];
    assert.equal(video.counts.Succeeded, 1);
    assert.ok(video.jobsPerSecond > 0);
    assert.equal(video.waitP95Ms, METRIC_BUCKETS_MS[1]);
    assert.equal(queues.body.queues[0].jobsPerSecond, 0);
    // The oldest ready job's age, from the storage clock: none left in video.
    assert.equal(video.oldestReadyAgeMs, null);
    const mailAge = queues.body.queues[0].oldestReadyAgeMs;
    assert.ok(mailAge >= 0 && mailAge < 90_000, `mail age ${mailAge}`);
    const old = createJob({
      method: "m",
      args: null,
      queue: "mail",
      now: new Date(now.getTime() - 90_000),
    });
    await storage.enqueue({ jobs: [old], now });
    const aged = await call(app.fetch, "GET", "/api/queues");
    assert.ok(aged.body.queues[0].oldestReadyAgeMs >= 90_000);

    const servers = await call(app.fetch, "GET", "/api/servers");
    const status = Object.fromEntries(
      servers.body.servers.map((s: { name: string; status: string }) => [s.name, s.status]),
    );
    assert.deepEqual(status, { "alive-1": "alive", "gone-1": "gone" });

    const m = await call(app.fetch, "GET", "/api/metrics?window=1h");
    assert.equal(m.status, 200);
    assert.equal(m.body.points.length, 60);
    // The point of the recorded minute: the newest one, unless the clock has crossed into
    // the next minute since (then it is the one before).
    const recorded = m.body.points.find((p: { at: string }) =>
      Date.parse(p.at) === minute.getTime()
    );
    assert.ok(
      recorded === m.body.points.at(-1) || recorded === m.body.points.at(-2),
      "the recorded minute is among the newest points",
    );
    assert.equal(recorded.succeeded, 30);
    assert.equal(recorded.failed, 6);
    assert.equal(recorded.runP95, METRIC_BUCKETS_MS[3]);
    for (const w of ["24h", "7d"]) {
      const r = await call(app.fetch, "GET", `/api/metrics?window=${w}`);
      assert.equal(r.status, 200);
      const total = r.body.points.reduce(
        (a: number, p: { succeeded: number }) => a + p.succeeded,
        0,
      );
      assert.equal(total, 30, w);
    }
    const filtered = await call(app.fetch, "GET", "/api/metrics?window=1h&queue=mail");
    assert.equal(filtered.body.points.at(-1).succeeded, 0);
    assert.equal((await call(app.fetch, "GET", "/api/metrics?window=2y")).status, 400);
  },
);

eachBackend(
  "recurring: list with next runs, pause, resume, trigger, remove; 404s",
  async (storage) => {
    const app = createDashboard({ storage });
    await storage.upsertRecurring({
      template: {
        name: "nightly",
        cron: "0 3 * * *",
        timezone: null,
        method: "report",
        args: { kind: "nightly" },
        queue: "reports",
        priority: 0,
        maxAttempts: 2,
        missedTicks: "skip",
      },
      now: await storage.time(),
    });
    const list = await call(app.fetch, "GET", "/api/recurring");
    assert.equal(list.body.templates.length, 1);
    const t = list.body.templates[0];
    assert.equal(t.nextRuns.length, 3);
    assert.ok(t.nextRuns.every((r: string) => new Date(r).getUTCHours() === 3));

    const paused = await call(app.fetch, "POST", "/api/recurring/nightly/pause");
    assert.equal(paused.status, 200);
    assert.equal(paused.body.template.paused, true);
    assert.equal((await storage.getRecurring({ name: "nightly" }))?.paused, true);
    const resumed = await call(app.fetch, "POST", "/api/recurring/nightly/resume");
    assert.equal(resumed.body.template.paused, false);

    const trig = await call(app.fetch, "POST", "/api/recurring/nightly/trigger");
    assert.equal(trig.status, 201);
    const job = await storage.get({ id: trig.body.job.id });
    assert.equal(job?.method, "report");
    assert.equal(job?.queue, "reports");
    assert.equal(job?.maxAttempts, 2);
    assert.deepEqual(job?.args, { kind: "nightly" });

    assert.equal((await call(app.fetch, "DELETE", "/api/recurring/nightly")).status, 200);
    assert.equal(await storage.getRecurring({ name: "nightly" }), null);
    for (
      const [method, path] of [
        ["DELETE", "/api/recurring/nightly"],
        ["POST", "/api/recurring/nightly/pause"],
        ["POST", "/api/recurring/nightly/resume"],
        ["POST", "/api/recurring/nightly/trigger"],
      ]
    ) {
      const res = await call(app.fetch, method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.body.error.code, "NOT_FOUND");
    }
  },
);

eachBackend("GET /metrics: Prometheus text of the stats, behind the same auth", async (storage) => {
  const app = createDashboard({ storage, auth: { token: "metrics-token" } });
  await enqueue(storage, [{ queue: 'we"ird' }, { queue: "mail" }]);
  await finishAll(storage, ["mail"], "failed");
  assert.equal((await call(app.fetch, "GET", "/metrics")).status, 401);
  const res = await call(app.fetch, "GET", "/metrics", {
    headers: { authorization: "Bearer metrics-token" },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  const lines = (res.body as string).trim().split("\n");
  assert.ok(lines.includes('qml_jobs{state="Enqueued"} 1'));
  assert.ok(lines.includes('qml_jobs{state="Failed"} 1'));
  assert.ok(lines.includes('qml_queue_jobs{queue="mail",state="Failed"} 1'));
  assert.ok(lines.includes('qml_queue_jobs{queue="we\\"ird",state="Enqueued"} 1'));
  assert.ok(lines.includes('qml_servers{status="alive"} 0'));
  for (const l of lines.filter((l) => !l.startsWith("#"))) {
    assert.match(l, /^qml_[a-z0-9_]+(\{.*\})? -?\d+(\.\d+)?$/, l);
  }
});
