-- remove_recurring: delete a template.
-- $1 text name
-- Returns the name when it existed.
DELETE FROM {{schema}}.recurring WHERE name = $1 RETURNING name
