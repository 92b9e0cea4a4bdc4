--[[
  acquire_lease: take or renew a named lease if free, lapsed or already ours.

  KEYS[1]  the lease hash `{prefix}:lease:<name>`
  ARGV[1]  holder
  ARGV[2]  now (ms)
  ARGV[3]  until (ms)
  Returns  1 when the caller holds the lease now, else 0.
]]
local cur = redis.call('HMGET', KEYS[1], 'holder', 'until')
if cur[1] and cur[1] ~= ARGV[1] and tonumber(cur[2]) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'until', ARGV[3])
return 1
