-- upsert_recurring: create or update a template by name; keeps created_at, paused and
-- last_tick_at.
-- ?1 name  ?2 cron  ?3 timezone  ?4 method  ?5 args (JSON)  ?6 queue  ?7 priority
-- ?8 max_attempts  ?9 missed_ticks  ?10 now (ms)
-- Returns the stored template row.
INSERT INTO recurring (
  name, cron, timezone, method, args, queue, priority, max_attempts, missed_ticks,
  paused, created_at, updated_at, last_tick_at
)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?10, NULL)
ON CONFLICT (name) DO UPDATE
SET cron = excluded.cron,
    timezone = excluded.timezone,
    method = excluded.method,
    args = excluded.args,
    queue = excluded.queue,
    priority = excluded.priority,
    max_attempts = excluded.max_attempts,
    missed_ticks = excluded.missed_ticks,
    updated_at = excluded.updated_at
RETURNING *
