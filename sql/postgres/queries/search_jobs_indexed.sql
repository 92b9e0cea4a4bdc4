-- search_jobs_indexed: search_jobs.sql served by the trigram index of migration 0005.
-- Same result as search_jobs.sql: the matches among the newest SEARCH_SCAN_LIMIT jobs
-- passing the indexed filters. Instead of reading those jobs, it finds the oldest id of
-- the bound (an index-only walk of the id index) and lets the prefilter (a LIKE on the
-- indexed search text, or an id prefix) pick the candidates from the index; the match
-- then applies the exact rule of src/storage/search.ts to them. The bound's oldest id is a
-- condition on the id index, so whichever plan the planner picks (the id index newest first
-- for a common text, the trigram index for a rare one) reads at most the bound.
-- $1 integer rows to return (page size + 1)
-- $2 integer scan bound (SEARCH_SCAN_LIMIT)
-- $3…       the filters' values, in the order list.ts numbers them
SELECT j.*
FROM {{schema}}.jobs AS j,
  LATERAL (SELECT lower(coalesce(j.args::text, 'null')) AS args_lower OFFSET 0) AS t
WHERE {{filters}}
  AND j.id >= coalesce((
    SELECT id FROM {{schema}}.jobs WHERE {{filters}} ORDER BY id DESC OFFSET $2::int - 1 LIMIT 1
  ), '')
  AND ({{prefilter}})
  AND {{match}}
ORDER BY j.id DESC
LIMIT $1
