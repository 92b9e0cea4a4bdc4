-- qml schema for PostgreSQL, version 4: the W3C trace context of the span that enqueued a
-- job (`traceparent`, then `;tracestate` if any), so the job's spans continue that trace.
-- NULL when the producer traced nothing. Adding a nullable column without a default is a
-- catalog change only: no table rewrite, no long lock.
ALTER TABLE {{schema}}.jobs ADD COLUMN IF NOT EXISTS trace_context text;
