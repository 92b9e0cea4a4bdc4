/**
 * OpenTelemetry metrics through `@opentelemetry/api`, recorded by this process: jobs
 * enqueued / succeeded / failed / retried (counters by queue and method), run and wait
 * time (histograms), jobs in flight and queue depth (gauges), storage round-trip time.
 *
 * With no meter provider registered (Deno registers one with `OTEL_DENO=true`) the API is
 * not loaded (`otel_api.ts`), no instrument is created, and every function returns after one
 * test. For the whole cluster's figures, scrape the dashboard's `GET /metrics` instead: it
 * reads the storage's shared counters.
 *
 * @module
 */
import type { Attributes, Meter } from "@opentelemetry/api";
import { QML_VERSION } from "../version.ts";
import { otelApi } from "./otel_api.ts";

/** Whether a meter provider records metrics in this process (or thread). */
export const metricsOn: boolean = otelApi !== null &&
  otelApi.metrics.getMeterProvider().constructor.name !== "NoopMeterProvider";

function instruments(meter: Meter) {
  const ms = (name: string, description: string) =>
    meter.createHistogram(name, { description, unit: "ms" });
  return {
    meter,
    enqueued: meter.createCounter("qml.jobs.enqueued", { description: "Jobs enqueued." }),
    finished: {
      succeeded: meter.createCounter("qml.jobs.succeeded", {
        description: "Attempts succeeded.",
      }),
      failed: meter.createCounter("qml.jobs.failed", { description: "Attempts failed for good." }),
      retried: meter.createCounter("qml.jobs.retried", {
        description: "Attempts failed and scheduled again.",
      }),
    },
    runTime: ms("qml.job.run_time", "Run time of an attempt (start to finish)."),
    waitTime: ms("qml.job.wait_time", "Wait of an attempt (due to start)."),
    storageTime: ms(
      "qml.storage.round_trip",
      "Round-trip time of a storage call made by a job server.",
    ),
    inFlight: meter.createUpDownCounter("qml.jobs.in_flight", {
      description: "Jobs running in this process.",
    }),
  };
}

// The instruments when metrics are on (then the API is loaded), else null.
const on = metricsOn && otelApi ? instruments(otelApi.metrics.getMeter("qml", QML_VERSION)) : null;

/** Count the jobs of an enqueue, one counter add per run of jobs of the same queue and method. */
export function countEnqueued(jobs: readonly { queue: string; method: string }[]): void {
  if (on === null) return;
  let from = 0;
  for (let k = 1; k <= jobs.length; k++) {
    const first = jobs[from];
    if (k < jobs.length && jobs[k].queue === first.queue && jobs[k].method === first.method) {
      continue;
    }
    on.enqueued.add(k - from, { "qml.job.queue": first.queue, "qml.job.method": first.method });
    from = k;
  }
}

/** One finished attempt, as the server writes it. */
export interface FinishedAttempt {
  queue: string;
  method: string;
  outcome: "succeeded" | "failed" | "retried";
  runMs: number;
  waitMs: number;
}

/** Record a finished attempt: its counter and its run and wait times. */
export function recordFinished(a: FinishedAttempt): void {
  if (on === null) return;
  const attrs: Attributes = { "qml.job.queue": a.queue, "qml.job.method": a.method };
  on.finished[a.outcome].add(1, attrs);
  on.runTime.record(a.runMs, attrs);
  on.waitTime.record(a.waitMs, attrs);
}

/** `delta` jobs started (+) or finished (−) running in this process. */
export function addInFlight(delta: number): void {
  if (on === null) return;
  on.inFlight.add(delta);
}

/** Record one storage call `op` that took `ms`. */
export function recordStorageTime(op: string, ms: number): void {
  if (on === null) return;
  on.storageTime.record(ms, { "qml.storage.op": op });
}

/**
 * Observe queue depth (waiting jobs per queue) from `read`, called at most every `everyMs`
 * however often the exporter collects. Returns a function that stops observing.
 */
export function observeQueueDepth(
  read: () => Promise<Record<string, number>>,
  everyMs = 5_000,
): () => void {
  if (on === null) return () => {};
  let last: Record<string, number> = {};
  let readAt = -Infinity;
  let pending = false;
  const gauge = on.meter.createObservableGauge("qml.queue.depth", {
    description: "Jobs waiting per queue (from storage counts, whole cluster).",
  });
  const cb = (result: { observe(v: number, a: Attributes): void }) => {
    const now = performance.now();
    if (!pending && now - readAt >= everyMs) {
      pending = true;
      readAt = now;
      read().then((v) => last = v, () => {}).finally(() => pending = false);
    }
    for (const [queue, n] of Object.entries(last)) result.observe(n, { "qml.job.queue": queue });
  };
  gauge.addCallback(cb);
  return () => gauge.removeCallback(cb);
}
