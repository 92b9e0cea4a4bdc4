--[[
  upsert_recurring: create or update a recurring template, keeping createdAt
  and lastTickAt.

  KEYS[1]  key base `{prefix}:`
  KEYS[2]  the template hash `{prefix}:rec:<name>`
  ARGV[1]  name
  ARGV[2]  template JSON (without createdAt, updatedAt, lastTickAt)
  ARGV[3]  now (ms)
  Returns  {createdAt, lastTickAt|false, paused|false}
]]
redis.call('HSETNX', KEYS[2], 'createdAt', ARGV[3])
redis.call('HSET', KEYS[2], 'json', ARGV[2], 'updatedAt', ARGV[3])
redis.call('ZADD', KEYS[1] .. 'recs', 0, ARGV[1])
return redis.call('HMGET', KEYS[2], 'createdAt', 'lastTickAt', 'paused')
