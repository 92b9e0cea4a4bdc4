-- remove_server: forget a server.
-- $1 text name
DELETE FROM {{schema}}.servers WHERE name = $1
