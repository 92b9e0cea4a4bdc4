-- set_progress: store the progress of a job still locked by the server.
-- ?1 text id  ?2 text server name  ?3 real progress (0..100)
-- Returns nothing; `changes` is 1 when it applied.
UPDATE jobs SET progress = ?3
WHERE id = ?1 AND state = 'Processing' AND locked_by = ?2
