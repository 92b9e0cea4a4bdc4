-- acquire_lease: take or renew a named lease if free, expired or already ours.
-- ?1 text name  ?2 text holder  ?3 integer expiry (now + ttl, ms)  ?4 integer now (ms)
-- Returns a row when the lease is held by ?2 afterwards.
INSERT INTO leases (name, holder, expires_at)
VALUES (?1, ?2, ?3)
ON CONFLICT (name) DO UPDATE
SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE leases.holder = excluded.holder OR leases.expires_at <= ?4
RETURNING name
