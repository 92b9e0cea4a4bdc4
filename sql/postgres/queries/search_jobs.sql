-- search_jobs: one page of a search (src/storage/search.ts) or createdAt range, newest first.
-- Like list_jobs.sql, the two placeholders below are filled in by
-- src/storage/postgres/list.ts: `filters` with the indexed filters given (state, queue,
-- method, cursor), `match` with the search and range.
-- The scan reads at most SEARCH_SCAN_LIMIT of the newest jobs passing the indexed filters
-- (so a search costs the same at ten million jobs as at ten thousand), and only the columns
-- the match needs: the args are lowercased once per row, and whole rows are read only for
-- the page's matches.
-- $1 integer rows to return (page size + 1)
-- $2 integer scan bound (SEARCH_SCAN_LIMIT)
-- $3…       the filters' values, in the order list.ts numbers them
SELECT jobs.*
FROM (
  SELECT id
  FROM (
    -- ASCII-only case folding (COLLATE "C"): the rule of search.ts, and cheaper than the
    -- database collation's.
    SELECT id, method, args, created_at,
      lower(coalesce(args::text, 'null') COLLATE "C") AS args_lower
    FROM {{schema}}.jobs
    WHERE {{filters}}
    ORDER BY id DESC
    LIMIT $2
  ) AS scan
  WHERE {{match}}
  ORDER BY id DESC
  LIMIT $1
) AS hit
JOIN {{schema}}.jobs USING (id)
ORDER BY jobs.id DESC
