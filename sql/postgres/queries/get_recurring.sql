-- get_recurring: one template by name.
-- $1 text name
SELECT * FROM {{schema}}.recurring WHERE name = $1
