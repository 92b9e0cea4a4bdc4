--[[
  record_server: create or refresh a server's record (its heartbeat).

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  server name
  ARGV[2]  the record as JSON (see src/storage/redis/dashboard.ts)
  ARGV[3]  heartbeat (ms)
  Returns  1.
]]
redis.call('HSET', KEYS[1] .. 'srv', ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1] .. 'srvhb', ARGV[3], ARGV[1])
return 1
