-- transition_expired: apply one transition that ends its job already expired (a retention of
-- 0; see expiredOnWrite in src/transitions.ts) by deleting the job, as the purge would next:
-- no history append, no index entries for a final state. The guard is transition.sql's (its
-- unique-key clause cannot matter: a final state holds no key, and the row takes it along).
-- ?1  text    id
-- ?2  text    guard: state the job must be in
-- ?3  text    guard: server that must hold the lock, or NULL
-- ?4  integer guard: 1 if the lock must have lapsed (locked_until <= ?5), else 0
-- ?5  integer now (ms)
-- Returns the job's queue when it applied, no row otherwise.
DELETE FROM jobs
WHERE id = ?1
  AND state = ?2
  AND (?3 IS NULL OR locked_by = ?3)
  AND (?4 = 0 OR locked_until <= ?5)
RETURNING queue
