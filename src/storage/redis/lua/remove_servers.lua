--[[
  remove_servers: forget servers, by name or by silence.

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  a server name, or '' to forget every server whose heartbeat is before ARGV[2]
  ARGV[2]  heartbeat cut (ms, exclusive)
  Returns  how many went.
]]
local base = KEYS[1]
local names = { ARGV[1] }
if ARGV[1] == '' then
  names = redis.call('ZRANGEBYSCORE', base .. 'srvhb', '-inf', '(' .. ARGV[2])
end
local n = 0
for _, name in ipairs(names) do
  n = n + redis.call('HDEL', base .. 'srv', name)
  redis.call('ZREM', base .. 'srvhb', name)
end
return n
