/**
 * OpenTelemetry traces through `@opentelemetry/api`: a `qml.enqueue` span at the producer
 * and a `qml.job <method>` span around each attempt, where the handler runs.
 *
 * Deno's built-in OpenTelemetry (`OTEL_DENO=true`) registers the global providers; without
 * them the API is not even loaded (`otel_api.ts`). Every entry point checks a cached flag
 * first, so with telemetry off a job costs one property read and allocates nothing.
 *
 * The job span is a CHILD of the producer's span (same trace id, parent = enqueue span):
 * a job is the continuation of the request that enqueued it, and trace viewers show the
 * whole flow as one tree. Retries are sibling children of the same enqueue span.
 *
 * @module
 */
import type { Exception, Span, Tracer } from "@opentelemetry/api";
import { QML_VERSION } from "../version.ts";
import { otelApi } from "./otel_api.ts";

const tracer: Tracer | undefined = otelApi?.trace.getTracer("qml", QML_VERSION);

/**
 * Whether a tracer provider records spans in this process (or thread). A no-op tracer hands
 * out non-recording spans: probe once, at load (Deno registers its provider before user code
 * runs). The probe is never ended, so it is never exported.
 */
export const tracingOn: boolean = tracer?.startSpan("qml.probe").isRecording() ?? false;

// What the entry points use when tracing is on (then the API is loaded), else null.
const on = tracingOn && otelApi && tracer ? { ...otelApi, tracer } : null;

/** W3C trace context carried in a job record: `traceparent`, then `;tracestate` if any. */
export type TraceContext = string;

const getter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

/** Serialise the active span's context for a job record; `null` when tracing is off. */
export function currentTraceContext(): TraceContext | null {
  if (on === null) return null;
  const carrier: Record<string, string> = {};
  on.propagation.inject(on.context.active(), carrier);
  const parent = carrier.traceparent;
  if (!parent) return null;
  return carrier.tracestate ? `${parent};${carrier.tracestate}` : parent;
}

/** Run `fn` inside a `qml.enqueue` span (a producer span) of `count` jobs. */
export function withEnqueueSpan<T>(
  attrs: { queue?: string; method?: string; count: number },
  fn: () => Promise<T>,
): Promise<T> {
  if (on === null) return fn();
  return on.tracer.startActiveSpan("qml.enqueue", { kind: on.SpanKind.PRODUCER }, async (span) => {
    span.setAttribute("qml.job.count", attrs.count);
    if (attrs.queue !== undefined) span.setAttribute("qml.job.queue", attrs.queue);
    if (attrs.method !== undefined) span.setAttribute("qml.job.method", attrs.method);
    try {
      return await fn();
    } catch (err) {
      fail(on, span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** What a job span is labelled with. */
export interface JobSpanInfo {
  id: string;
  method: string;
  queue: string;
  attempt: number;
  traceContext: TraceContext | null;
}

/** The outcome a job span ends with. */
export type SpanOutcome = { ok: true } | { ok: false; error: unknown };

/**
 * Run one attempt inside a `qml.job <method>` consumer span, active while `fn` runs so the
 * handler's own spans nest under it. `fn` reports the outcome instead of throwing.
 */
export function withJobSpan<T>(
  job: JobSpanInfo,
  fn: () => Promise<T>,
  outcomeOf: (value: T) => SpanOutcome,
): Promise<T> {
  if (on === null) return fn();
  const parent = job.traceContext ? extract(on, job.traceContext) : on.context.active();
  return on.tracer.startActiveSpan(
    `qml.job ${job.method}`,
    {
      kind: on.SpanKind.CONSUMER,
      attributes: {
        "qml.job.id": job.id,
        "qml.job.queue": job.queue,
        "qml.job.method": job.method,
        "qml.job.attempt": job.attempt,
      },
    },
    parent,
    async (span) => {
      try {
        const value = await fn();
        const outcome = outcomeOf(value);
        span.setAttribute("qml.job.outcome", outcome.ok ? "succeeded" : "failed");
        if (!outcome.ok) fail(on, span, outcome.error);
        return value;
      } finally {
        span.end();
      }
    },
  );
}

type On = NonNullable<typeof on>;

function extract(on: On, tc: TraceContext) {
  const i = tc.indexOf(";");
  const carrier: Record<string, string> = i < 0
    ? { traceparent: tc }
    : { traceparent: tc.slice(0, i), tracestate: tc.slice(i + 1) };
  return on.propagation.extract(on.context.active(), carrier, getter);
}

function fail(on: On, span: Span, err: unknown): void {
  // Errors and stored JobErrors ({ name, message, stack }) both fit `Exception`.
  if (err !== null && typeof err === "object") span.recordException(err as Exception);
  else span.recordException(String(err));
  span.setStatus({
    code: on.SpanStatusCode.ERROR,
    message: String((err as { message?: unknown })?.message ?? err),
  });
}
