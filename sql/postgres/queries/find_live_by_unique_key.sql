-- find_live_by_unique_key: the live jobs holding some unique keys.
-- $1 text[] unique keys (distinct)
-- Returns full job rows. Joined by key (see transition.sql): linear in the keys.
SELECT t.*
FROM unnest($1::text[]) AS k(key)
JOIN {{schema}}.jobs AS t ON t.unique_key = k.key
WHERE t.state IN ('Enqueued', 'Scheduled', 'Processing', 'AwaitingRetry')
