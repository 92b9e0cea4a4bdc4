-- set_recurring_paused: pause or resume a template.
-- $1 text name  $2 boolean paused  $3 timestamptz now
-- Returns the template, or no row when it does not exist. updated_at moves only on a change.
UPDATE {{schema}}.recurring
SET paused = $2,
    updated_at = CASE WHEN paused = $2 THEN updated_at ELSE $3 END
WHERE name = $1
RETURNING *
