-- qml schema for PostgreSQL, version 5: errors and history are stored as `json` (verbatim
-- JSON text), like args and results since version 2.
-- {{schema}} is replaced by the validated, quoted schema name before this runs.
--
-- A handler's error message or stack, or a reason given to delete or requeue, can hold a
-- "\u0000" or a lone surrogate, which jsonb refuses: the job's transition failed, so the job
-- could never be recorded as failed. `json` keeps the text exactly as sent, as the other
-- backends do. Nothing indexes into either column. Like 0002, the type change rewrites the
-- jobs table under an exclusive lock: on a large table, run it (`qml migrate`) while servers
-- are stopped, or after retention has trimmed the table.
--
-- `json` has no `||`: history_append adds an entry to a stored history array as text (the
-- cast checks the result is JSON). It is one SQL expression, so the planner inlines it.
CREATE FUNCTION {{schema}}.history_append(history json, entry json) RETURNS json
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT (
    left(rtrim(history::text, E' \t\r\n'), -1)
    || CASE
      WHEN right(rtrim(left(rtrim(history::text, E' \t\r\n'), -1), E' \t\r\n'), 1) = '['
      THEN '' ELSE ','
    END
    || entry::text || ']'
  )::json
$$;
COMMENT ON FUNCTION {{schema}}.history_append(json, json) IS
  'a history array (json) with one more entry at its end';

ALTER TABLE {{schema}}.jobs DROP CONSTRAINT jobs_history_array;
ALTER TABLE {{schema}}.jobs
  ALTER COLUMN error TYPE json USING error::json,
  ALTER COLUMN history DROP DEFAULT,
  ALTER COLUMN history TYPE json USING history::json,
  ALTER COLUMN history SET DEFAULT '[]',
  ADD CONSTRAINT jobs_history_array CHECK (json_typeof(history) = 'array');
COMMENT ON COLUMN {{schema}}.jobs.error IS 'error of the last failed attempt (verbatim JSON text)';
COMMENT ON COLUMN {{schema}}.jobs.history IS
  'JSON array of state changes, oldest first (verbatim JSON text)';
