-- set_recurring_paused: pause or resume a template.
-- ?1 text name  ?2 integer paused (0 or 1)  ?3 integer now (ms)
-- Returns the updated template row, or none when it does not exist.
UPDATE recurring SET paused = ?2, updated_at = ?3 WHERE name = ?1
RETURNING *
