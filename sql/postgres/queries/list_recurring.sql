-- list_recurring: every template, by name.
SELECT * FROM {{schema}}.recurring ORDER BY name COLLATE "C"
