/**
 * A stand-in OpenTelemetry collector for `deno task bench --otel`: an OTLP/HTTP endpoint on
 * 127.0.0.1 that reads each export whole, counts it, and answers 200 with an empty body (an
 * empty `Export*ServiceResponse`, i.e. full success). The exporter under test then pays what it
 * pays against a real collector — encoding, HTTP, waiting for the answer — without the terminal
 * output of the console exporter, which would cost more than the spans themselves.
 *
 * @module
 */

/** The OTLP signals, by the path their exports are POSTed to. */
const SIGNALS = { "/v1/traces": "traces", "/v1/metrics": "metrics", "/v1/logs": "logs" } as const;

/** An OTLP signal the sink counts. */
export type Signal = (typeof SIGNALS)[keyof typeof SIGNALS];

/** Requests and body bytes received so far, per signal. */
export type SinkCounts = Record<Signal, { requests: number; bytes: number }>;

/** A running sink: its endpoint (for `OTEL_EXPORTER_OTLP_ENDPOINT`), its counters, `close`. */
export interface OtlpSink {
  /** `http://127.0.0.1:PORT`; the exporter appends `/v1/<signal>`. */
  readonly endpoint: string;
  /** A copy of the counters now (subtract two to get one run's exports). */
  counts(): SinkCounts;
  /** Stop listening. */
  close(): Promise<void>;
}

/** Listen on a free port of 127.0.0.1 until `close`. */
export function startOtlpSink(): OtlpSink {
  const totals: SinkCounts = {
    traces: { requests: 0, bytes: 0 },
    metrics: { requests: 0, bytes: 0 },
    logs: { requests: 0, bytes: 0 },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const signal = SIGNALS[new URL(req.url).pathname as keyof typeof SIGNALS];
    if (req.method !== "POST" || !signal) return new Response(null, { status: 404 });
    const body = await req.arrayBuffer();
    totals[signal].requests++;
    totals[signal].bytes += body.byteLength;
    return new Response(null, { status: 200 });
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    counts: () => structuredClone(totals),
    close: () => server.shutdown(),
  };
}
