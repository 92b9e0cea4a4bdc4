-- list_servers: every recorded server, by name.
SELECT * FROM {{schema}}.servers ORDER BY name
