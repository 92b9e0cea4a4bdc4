-- get_job: one job by id.
-- $1 text id
SELECT * FROM {{schema}}.jobs WHERE id = $1
