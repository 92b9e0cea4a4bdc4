-- release_lease: give up a lease held by $2 (no-op otherwise).
-- $1 text name  $2 text holder
DELETE FROM {{schema}}.leases WHERE name = $1 AND holder = $2
