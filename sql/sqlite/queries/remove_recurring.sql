-- remove_recurring: remove a template.
-- ?1 text name
-- Returns nothing; `changes` is 1 when it existed.
DELETE FROM recurring WHERE name = ?1
