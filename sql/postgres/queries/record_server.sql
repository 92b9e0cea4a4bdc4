-- record_server: create or refresh a server's record (its heartbeat).
-- $1 name  $2 host  $3 pid  $4 started_at  $5 heartbeat_at  $6 queues (text[])
-- $7 concurrency  $8 in_flight  $9 execution  $10 version
INSERT INTO {{schema}}.servers (
  name, host, pid, started_at, heartbeat_at, queues, concurrency, in_flight, execution, version
)
VALUES ($1, $2, $3, $4, $5, $6::text[], $7, $8, $9, $10)
ON CONFLICT (name) DO UPDATE
SET host = EXCLUDED.host,
    pid = EXCLUDED.pid,
    started_at = EXCLUDED.started_at,
    heartbeat_at = EXCLUDED.heartbeat_at,
    queues = EXCLUDED.queues,
    concurrency = EXCLUDED.concurrency,
    in_flight = EXCLUDED.in_flight,
    execution = EXCLUDED.execution,
    version = EXCLUDED.version
