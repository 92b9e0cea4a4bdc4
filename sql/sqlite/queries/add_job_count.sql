-- add_job_count: add a delta to the count of jobs of one queue in one state.
-- ?1 text queue  ?2 text state  ?3 integer delta
-- Returns nothing.
INSERT INTO job_counts (queue, state, n) VALUES (?1, ?2, ?3)
ON CONFLICT (queue, state) DO UPDATE SET n = n + excluded.n
