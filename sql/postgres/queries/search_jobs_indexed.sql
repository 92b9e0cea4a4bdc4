-- search_jobs_indexed: search_jobs.sql served by the trigram index of migration 0005.
-- Same result as search_jobs.sql: the matches among the newest SEARCH_SCAN_LIMIT jobs
-- passing the indexed filters. The prefilter (an id prefix, or a LIKE on the indexed
-- search text) picks candidates from the indexes and the exact rule of
-- src/storage/search.ts keeps the matches; `page` is the newest of them, bound or not.
-- The matches inside the bound are a newest-first prefix of all matches, so the bound is
-- applied to the page alone, and lazily: when the page's oldest match has fewer than
-- $2 newer jobs (counted up to $2 on the id index), the whole page is inside; only
-- otherwise is the bound's oldest id looked up. A search without a match costs its index
-- lookups only.
-- $1 integer rows to return (page size + 1)
-- $2 integer scan bound (SEARCH_SCAN_LIMIT)
-- $3…       the filters' values, in the order list.ts numbers them
WITH page AS MATERIALIZED (
  SELECT j.*
  FROM {{schema}}.jobs AS j,
    LATERAL (SELECT lower(coalesce(j.args::text, 'null')) AS args_lower OFFSET 0) AS t
  WHERE {{filters}}
    AND ({{prefilter}})
    AND {{match}}
  ORDER BY j.id DESC
  LIMIT $1
), newer AS (
  SELECT count(*) AS n
  FROM (
    SELECT 1 FROM {{schema}}.jobs
    WHERE {{filters}} AND id > (SELECT min(id) FROM page)
    LIMIT $2::int
  ) AS x
)
SELECT page.*
FROM page
WHERE CASE
  WHEN (SELECT n FROM newer) < $2::int THEN true
  ELSE page.id >= coalesce((
    SELECT id FROM {{schema}}.jobs WHERE {{filters}} ORDER BY id DESC OFFSET $2::int - 1 LIMIT 1
  ), '')
END
ORDER BY page.id DESC
