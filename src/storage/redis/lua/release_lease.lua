--[[
  release_lease: give up a lease held by the caller (no-op otherwise).

  KEYS[1]  the lease hash `{prefix}:lease:<name>`
  ARGV[1]  holder
  Returns  1 when released, else 0.
]]
if redis.call('HGET', KEYS[1], 'holder') ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])
