/**
 * OpenTelemetry end to end: a child process runs with Deno's built-in OTel and the console
 * exporter; its spans and metrics are parsed from the output.
 */
import assert from "node:assert/strict";

interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parent?: string;
  status?: string;
  attrs: Record<string, string>;
  exception: boolean;
}

/** Parse the console exporter's `SPAN name [trace/span] Kind …` blocks. */
function parseSpans(out: string): SpanRecord[] {
  const spans: SpanRecord[] = [];
  let cur: SpanRecord | null = null;
  for (const line of out.split("\n")) {
    const head = line.match(/^SPAN (.+) \[([0-9a-f]{32})\/([0-9a-f]{16})\]/);
    if (head) {
      cur = { name: head[1], traceId: head[2], spanId: head[3], attrs: {}, exception: false };
      spans.push(cur);
      continue;
    }
    if (!line.startsWith("  ")) {
      cur = null;
      continue;
    }
    if (!cur) continue;
    const kv = line.match(/^ {2}([\w.]+): (.*)$/);
    if (kv) {
      if (kv[1] === "parent") cur.parent = kv[2];
      else if (kv[1] === "status") cur.status = kv[2];
      else cur.attrs[kv[1]] = kv[2];
    }
    if (/^\s+- exception /.test(line)) cur.exception = true;
  }
  return spans;
}

/** The value of metric `name` for the series whose labels include `method=…`. */
function metricValue(out: string, name: string, method: string): number | null {
  const block = out.split(/^METRIC /m).find((b) => b.startsWith(`${name} `));
  if (!block) return null;
  const line = block.split("\n").find((l) => l.includes(`qml.job.method=${method}`));
  const m = line?.match(/(?:value|count)=(\d+)/);
  return m ? Number(m[1]) : null;
}

async function runApp(mode: string[]): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../fixtures/otel/app.ts", import.meta.url).pathname, ...mode],
    env: {
      NO_COLOR: "1",
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_PROTOCOL: "console",
      OTEL_SERVICE_NAME: "qml-otel-test",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  return text;
}

for (const mode of [[], ["--inline"]]) {
  const label = mode.length ? "inline" : "Web Worker";
  Deno.test(`otel (${label}): enqueue and job spans share a trace; failures are errors`, async () => {
    const out = await runApp(mode);
    const result = out.split("\n").find((l) => l.startsWith("RESULT "));
    assert.ok(result, out);
    const [ok, bad] = JSON.parse(result.slice("RESULT ".length));
    assert.equal(ok.state, "Succeeded");
    assert.equal(bad.state, "Failed");
    const spans = parseSpans(out);

    // The job record carries the enqueue span's context, and the job span is its child.
    const enqueues = spans.filter((s) =>
      s.name === "qml.enqueue" && s.attrs["qml.job.count"] === "1"
    );
    assert.equal(enqueues.length, 2);
    const okEnqueue = enqueues.find((s) => ok.traceContext.includes(s.spanId))!;
    assert.ok(okEnqueue, "the stored trace context names the enqueue span");
    assert.equal(ok.traceContext, `00-${okEnqueue.traceId}-${okEnqueue.spanId}-01`);
    const okJob = spans.find((s) => s.name === "qml.job traced")!;
    assert.equal(okJob.traceId, okEnqueue.traceId);
    assert.equal(okJob.parent, okEnqueue.spanId);
    assert.equal(okJob.attrs["qml.job.id"], ok.id);
    assert.equal(okJob.attrs["qml.job.queue"], "default");
    assert.equal(okJob.attrs["qml.job.method"], "traced");
    assert.equal(okJob.attrs["qml.job.attempt"], "1");
    assert.equal(okJob.attrs["qml.job.outcome"], "succeeded");
    assert.equal(okJob.status, undefined);

    // The handler's own span nests under the job span.
    const work = spans.find((s) => s.name === "handler.work")!;
    assert.equal(work.traceId, okJob.traceId);
    assert.equal(work.parent, okJob.spanId);

    // Both attempts of the failing job: errors with the exception, children of its enqueue.
    const badEnqueue = enqueues.find((s) => s !== okEnqueue)!;
    const badJobs = spans.filter((s) => s.name === "qml.job broken");
    assert.deepEqual(badJobs.map((s) => s.attrs["qml.job.attempt"]).sort(), ["1", "2"]);
    for (const s of badJobs) {
      assert.equal(s.traceId, badEnqueue.traceId);
      assert.equal(s.parent, badEnqueue.spanId);
      assert.match(s.status ?? "", /^Error \(kaput\)/);
      assert.equal(s.attrs["qml.job.outcome"], "failed");
      assert.ok(s.exception, "recordException");
    }

    // Metrics count what happened.
    assert.equal(metricValue(out, "qml.jobs.enqueued", "traced"), 1);
    assert.equal(metricValue(out, "qml.jobs.enqueued", "broken"), 1);
    assert.equal(metricValue(out, "qml.jobs.enqueued", "later_a"), 4);
    assert.equal(metricValue(out, "qml.jobs.enqueued", "later_b"), 2);
    assert.equal(metricValue(out, "qml.jobs.succeeded", "traced"), 1);
    assert.equal(metricValue(out, "qml.jobs.retried", "broken"), 1);
    assert.equal(metricValue(out, "qml.jobs.failed", "broken"), 1);
    assert.equal(metricValue(out, "qml.job.run_time", "broken"), 2);
    assert.equal(metricValue(out, "qml.job.wait_time", "traced"), 1);
    assert.match(out, /^METRIC qml\.storage\.round_trip /m);
    assert.match(out, /\{qml\.storage\.op=fetchAndLock\} count=[1-9]/);
    assert.match(out, /^METRIC qml\.jobs\.in_flight /m);
  });
}

Deno.test("otel off: no trace context is stored and nothing is exported", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../fixtures/otel/app.ts", import.meta.url).pathname],
    env: { NO_COLOR: "1", OTEL_DENO: "false" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0);
  const result = text.split("\n").find((l) => l.startsWith("RESULT "))!;
  const jobs = JSON.parse(result.slice("RESULT ".length));
  assert.deepEqual(jobs.map((j: { traceContext: unknown }) => j.traceContext), [null, null]);
  assert.equal(parseSpans(text).length, 0);
});
