-- claim_cron_tick: claim a tick of a template (compare-and-set of last_tick_at). The caller
-- stores the tick's job in the same transaction when this returns a row.
-- ?1 text    template name
-- ?2 integer tick (ms)
-- Returns the template's name when the claim won, no row otherwise (missing, paused, or the
-- tick already claimed).
UPDATE recurring SET last_tick_at = ?2
WHERE name = ?1 AND paused = 0 AND (last_tick_at IS NULL OR last_tick_at < ?2)
RETURNING name
