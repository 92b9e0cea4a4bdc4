-- acquire_lease: take or renew a named lease if free, expired or already ours.
-- $1 text name  $2 text holder  $3 timestamptz expiry (now + ttl)  $4 timestamptz now
-- Returns a row when the lease is held by $2 afterwards.
INSERT INTO {{schema}}.leases AS l (name, holder, expires_at)
VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE
SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
WHERE l.holder = EXCLUDED.holder OR l.expires_at <= $4
RETURNING name
