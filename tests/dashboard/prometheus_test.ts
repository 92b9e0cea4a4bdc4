/** `GET /metrics` parses as Prometheus text and reports counts, servers and the history window. */
import assert from "node:assert/strict";
import parsePrometheus from "parse-prometheus-text-format";
import { createDashboard } from "../../src/dashboard/app.ts";
import { emptyHistogram, METRIC_BUCKETS_MS } from "../../src/metrics.ts";
import { call, eachBackend, enqueue, finishAll } from "./_harness.ts";

interface Family {
  name: string;
  type: string;
  help: string;
  metrics: { value?: string; labels?: Record<string, string> }[];
}

function value(families: Family[], name: string, labels: Record<string, string>): number {
  const family = families.find((f) => f.name === name);
  assert.ok(family, `family ${name} missing`);
  const m = family.metrics.find((x) =>
    Object.entries(labels).every(([k, v]) => x.labels?.[k] === v)
  );
  assert.ok(m, `${name}${JSON.stringify(labels)} missing`);
  return Number(m.value);
}

eachBackend(
  "GET /metrics parses with a Prometheus text parser; history window",
  async (storage) => {
    const app = createDashboard({ storage, readOnly: true, auth: { token: "metrics-token" } });
    await enqueue(storage, [{ queue: "mail" }, { queue: "mail" }, { queue: "video" }]);
    await finishAll(storage, ["video"], "succeeded");
    const now = await storage.time();
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const runMs = emptyHistogram();
    runMs[2] = 4; // four runs of ≤ 5 ms
    runMs[METRIC_BUCKETS_MS.length] = 1; // one above the last bound
    const waitMs = emptyHistogram();
    waitMs[0] = 5;
    const bucket = { at: minute, method: "m", runMs, waitMs };
    await storage.recordActivity({
      metrics: [
        { ...bucket, queue: "video", succeeded: 3, failed: 1, retried: 1 },
        // Older than the window: not counted.
        {
          ...bucket,
          at: new Date(minute.getTime() - 10 * 60_000),
          queue: "video",
          succeeded: 100,
          failed: 0,
          retried: 0,
        },
      ],
      changes: [],
    });

    assert.equal((await call(app.fetch, "GET", "/metrics")).status, 401);
    const res = await call(app.fetch, "GET", "/metrics", {
      headers: { authorization: "Bearer metrics-token" },
    });
    assert.equal(res.status, 200, "readOnly keeps /metrics");
    const families = parsePrometheus(res.body as string) as Family[];
    for (const f of families) {
      assert.ok(f.help.length > 0, `${f.name} has # HELP`);
      assert.equal(f.type, "GAUGE");
    }
    assert.equal(value(families, "qml_jobs", { state: "Enqueued" }), 2);
    assert.equal(value(families, "qml_queue_jobs", { queue: "video", state: "Succeeded" }), 1);
    assert.equal(value(families, "qml_attempts_5m", { queue: "video", outcome: "succeeded" }), 3);
    assert.equal(value(families, "qml_attempts_5m", { queue: "video", outcome: "failed" }), 1);
    assert.equal(value(families, "qml_attempts_5m", { queue: "video", outcome: "retried" }), 1);
    assert.equal(value(families, "qml_attempts_5m", { queue: "mail", outcome: "succeeded" }), 0);
    const run = "qml_run_time_ms_bucket_5m";
    assert.equal(value(families, run, { queue: "video", le: "2" }), 0);
    assert.equal(value(families, run, { queue: "video", le: "5" }), 4);
    assert.equal(value(families, run, { queue: "video", le: "+Inf" }), 5);
    assert.equal(value(families, "qml_wait_time_ms_bucket_5m", { queue: "video", le: "1" }), 5);
    assert.equal(value(families, "qml_servers", { status: "alive" }), 0);
  },
);
