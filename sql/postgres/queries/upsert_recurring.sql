-- upsert_recurring: create or update a template by name; keeps created_at and last_tick_at.
-- $1 name  $2 cron  $3 timezone  $4 method  $5 args (json)  $6 queue  $7 priority
-- $8 max_attempts  $9 missed_ticks  $10 now
-- Returns the stored template.
INSERT INTO {{schema}}.recurring (
  name, cron, timezone, method, args, queue, priority, max_attempts, missed_ticks,
  created_at, updated_at, last_tick_at
)
VALUES ($1, $2, $3, $4, $5::json, $6, $7, $8, $9, $10, $10, NULL)
ON CONFLICT (name) DO UPDATE
SET cron = EXCLUDED.cron,
    timezone = EXCLUDED.timezone,
    method = EXCLUDED.method,
    args = EXCLUDED.args,
    queue = EXCLUDED.queue,
    priority = EXCLUDED.priority,
    max_attempts = EXCLUDED.max_attempts,
    missed_ticks = EXCLUDED.missed_ticks,
    updated_at = EXCLUDED.updated_at
RETURNING *
