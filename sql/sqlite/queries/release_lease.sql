-- release_lease: give up a lease held by the holder (no-op otherwise).
-- ?1 text name  ?2 text holder
-- Returns nothing.
DELETE FROM leases WHERE name = ?1 AND holder = ?2
