--[[
  set_progress: store the progress of a job still locked by the caller.

  KEYS[1]  the job hash `{prefix}:j:<id>`
  ARGV[1]  server name
  ARGV[2]  progress (0..100)
  Returns  1 when stored, 0 when the job is gone, not Processing or not locked by the server.
]]
local cur = redis.call('HMGET', KEYS[1], 'state', 'lockedBy')
if cur[1] ~= 'Processing' or cur[2] ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'progress', ARGV[2])
return 1
