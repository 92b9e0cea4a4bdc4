-- search_jobs: one page of a search (src/storage/search.ts) or createdAt range, newest first.
-- Like list_jobs.sql, the two placeholders below are filled in by
-- src/storage/postgres/list.ts: the inner one with the indexed filters given (state,
-- queue, method, cursor), the outer one with the search and range. The inner scan reads at most SEARCH_SCAN_LIMIT of the newest
-- jobs passing the indexed filters, so a search costs the same at a million jobs as at a
-- hundred thousand.
-- $1 integer rows to return (page size + 1)
-- $2 integer scan bound (SEARCH_SCAN_LIMIT)
-- $3…       the filters' values, in the order list.ts numbers them
SELECT scan.*
FROM (
  SELECT *
  FROM {{schema}}.jobs
  WHERE {{filters}}
  ORDER BY id DESC
  LIMIT $2
) AS scan,
  -- The args as lowercased text, converted once per row (OFFSET 0 keeps the planner from
  -- inlining the expression into each place the search uses it).
  LATERAL (SELECT lower(coalesce(scan.args::text, 'null')) AS args_lower OFFSET 0) AS t
WHERE {{match}}
ORDER BY scan.id DESC
LIMIT $1
