-- get_recurring: one template by name.
-- ?1 text name
-- Returns the template row, or none.
SELECT * FROM recurring WHERE name = ?1
