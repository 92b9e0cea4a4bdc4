-- qml schema for SQLite, version 3: the W3C trace context of the span that enqueued a job
-- (`traceparent`, then `;tracestate` if any), so the job's spans continue that trace.
-- NULL when the producer traced nothing. Runs inside migrate()'s BEGIN IMMEDIATE transaction.
ALTER TABLE jobs ADD COLUMN trace_context TEXT;
