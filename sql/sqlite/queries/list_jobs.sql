-- list_jobs: one page of jobs, newest first, filtered.
-- The placeholders below are filled in by src/storage/sqlite/list.ts:
--   filters  the indexed filters given (state, queue, method, cursor), or 1
--   scan     for a search or a time range: LIMIT SEARCH_SCAN_LIMIT, so such a page scans
--            at most that many of the newest jobs that pass the indexed filters
--   bounded  the search and time-range conditions (src/storage/search.ts's rule), or 1
-- ?1 integer rows to return (page size + 1, to know whether another page follows)
-- ?2…        the filters' values, in the order list.ts numbers them
-- Returns full job rows.
-- The scan reads only the columns the conditions need; full rows are read for the page.
SELECT * FROM jobs
WHERE id IN (
  SELECT id FROM (
    SELECT id, method, args, created_at FROM jobs
    WHERE {{filters}}
    ORDER BY id DESC
    {{scan}}
  )
  WHERE {{bounded}}
  ORDER BY id DESC
  LIMIT ?1
)
ORDER BY id DESC
