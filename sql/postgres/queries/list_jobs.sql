-- list_jobs: one page of jobs, newest first, filtered.
-- The filters placeholder below is filled in by src/storage/postgres/list.ts with only the
-- filters given (so each combination is its own prepared statement and can use its own
-- index); the state, when given, is written as a literal of the job_state enum so that the
-- partial dashboard indexes match it.
-- $1 integer  rows to return (page size + 1, to know whether another page follows)
-- $2…        the filters' values, in the order list.ts numbers them
SELECT *
FROM {{schema}}.jobs
WHERE {{filters}}
ORDER BY id DESC
LIMIT $1
