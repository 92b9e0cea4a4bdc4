/**
 * OpenTelemetry traces through `@opentelemetry/api`: a `qml.enqueue` span at the producer
 * and a `qml.job <method>` span around each attempt, where the handler runs.
 *
 * Deno's built-in OpenTelemetry (`OTEL_DENO=true`) registers the global providers; without
 * it the API hands out non-recording spans. Every entry point checks a cached flag first, so
 * with telemetry off a job costs one property read and allocates nothing.
 *
 * The job span is a CHILD of the producer's span (same trace id, parent = enqueue span):
 * a job is the continuation of the request that enqueued it, and trace viewers show the
 * whole flow as one tree. Retries are sibling children of the same enqueue span.
 *
 * @module
 */
import {
  context,
  type Exception,
  propagation,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from "@opentelemetry/api";
import { QML_VERSION } from "../version.ts";

const tracer: Tracer = trace.getTracer("qml", QML_VERSION);

/**
 * Whether a tracer provider records spans in this process (or thread). A no-op tracer hands
 * out non-recording spans: probe once, at load (Deno registers its provider before user code
 * runs). The probe is never ended, so it is never exported.
 */
export const tracingOn: boolean = tracer.startSpan("qml.probe").isRecording();

/** W3C trace context carried in a job record: `traceparent`, then `;tracestate` if any. */
export type TraceContext = string;

const getter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

/** Serialise the active span's context for a job record; `null` when tracing is off. */
export function currentTraceContext(): TraceContext | null {
  if (!tracingOn) return null;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  const parent = carrier.traceparent;
  if (!parent) return null;
  return carrier.tracestate ? `${parent};${carrier.tracestate}` : parent;
}

/** Run `fn` inside a `qml.enqueue` span (a producer span) of `count` jobs. */
export function withEnqueueSpan<T>(
  attrs: { queue?: string; method?: string; count: number },
  fn: () => Promise<T>,
): Promise<T> {
  if (!tracingOn) return fn();
  return tracer.startActiveSpan("qml.enqueue", { kind: SpanKind.PRODUCER }, async (span) => {
    span.setAttribute("qml.job.count", attrs.count);
    if (attrs.queue !== undefined) span.setAttribute("qml.job.queue", attrs.queue);
    if (attrs.method !== undefined) span.setAttribute("qml.job.method", attrs.method);
    try {
      return await fn();
    } catch (err) {
      fail(span, err);
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
  if (!tracingOn) return fn();
  const parent = job.traceContext ? extract(job.traceContext) : context.active();
  return tracer.startActiveSpan(
    `qml.job ${job.method}`,
    {
      kind: SpanKind.CONSUMER,
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
        if (!outcome.ok) fail(span, outcome.error);
        return value;
      } finally {
        span.end();
      }
    },
  );
}

function extract(tc: TraceContext) {
  const i = tc.indexOf(";");
  const carrier: Record<string, string> = i < 0
    ? { traceparent: tc }
    : { traceparent: tc.slice(0, i), tracestate: tc.slice(i + 1) };
  return propagation.extract(context.active(), carrier, getter);
}

function fail(span: Span, err: unknown): void {
  // Errors and stored JobErrors ({ name, message, stack }) both fit `Exception`.
  if (err !== null && typeof err === "object") span.recordException(err as Exception);
  else span.recordException(String(err));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: String((err as { message?: unknown })?.message ?? err),
  });
}
