-- remove_server: forget a server.
-- ?1 text name
-- Returns nothing.
DELETE FROM servers WHERE name = ?1
