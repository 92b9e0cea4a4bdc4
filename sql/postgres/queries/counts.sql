-- counts: jobs per queue and state (the caller fills in zeros and totals).
SELECT queue, state, count(*)::integer AS n
FROM {{schema}}.jobs
GROUP BY queue, state
