--[[
  extend_locks: heartbeat — push the locks a server still holds.

  KEYS[1]   key base `{prefix}:`
  ARGV[1]   server name
  ARGV[2]   new lockedUntil (ms)
  ARGV[3..] job ids
  Returns   the ids whose lock the server no longer holds (gone, not
            Processing, or locked by another server).
]]
local base = KEYS[1]
local server, locked_until = ARGV[1], ARGV[2]
local lost = {}
for i = 3, #ARGV do
  local id = ARGV[i]
  local jk = base .. 'j:' .. id
  local cur = redis.call('HMGET', jk, 'state', 'lockedBy')
  if cur[1] == 'Processing' and cur[2] == server then
    redis.call('HSET', jk, 'lockedUntil', locked_until)
    redis.call('ZADD', base .. 'proc', locked_until, id)
  else
    lost[#lost + 1] = id
  end
end
return lost
