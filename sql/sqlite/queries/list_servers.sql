-- list_servers: every recorded server, by name.
-- No parameters. Returns rows (info JSON).
SELECT info FROM servers ORDER BY name
