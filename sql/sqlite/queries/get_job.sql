-- get_job: one job by id.
-- ?1 text id
-- Returns the full job row, or none.
SELECT * FROM jobs WHERE id = ?1
