-- list_recurring: every template, by name (binary order, as the other backends).
-- No parameters. Returns template rows.
SELECT * FROM recurring ORDER BY name
