-- qml schema, version 2: args and results are stored as `json` (verbatim JSON text).
-- {{schema}} is replaced by the validated, quoted schema name before this runs.
--
-- jsonb cannot hold a "\u0000" or a lone surrogate ("\ud800"), which JavaScript strings can
-- and which the other backends round-trip; `json` keeps the text exactly as sent. Nothing
-- in qml indexes into args or results, so jsonb's binary form bought nothing but the
-- parse. Searching stays possible on the text: `args::text` for substrings and
-- `args ->> key` for a top-level field (an expression or pg_trgm index can serve either).
ALTER TABLE {{schema}}.jobs
  ALTER COLUMN args TYPE json USING args::json,
  ALTER COLUMN result TYPE json USING result::json;
ALTER TABLE {{schema}}.recurring
  ALTER COLUMN args TYPE json USING args::json;
COMMENT ON COLUMN {{schema}}.jobs.args IS 'JSON arguments passed to the worker (verbatim text)';
COMMENT ON COLUMN {{schema}}.jobs.result IS 'JSON result of the worker (verbatim text)';
