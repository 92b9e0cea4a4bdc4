--[[
  set_recurring_paused: pause or resume a template; updatedAt moves only on a change.

  KEYS[1]  the template hash `{prefix}:rec:<name>`
  ARGV[1]  '1' to pause, '0' to resume
  ARGV[2]  now (ms)
  Returns  {json, createdAt, updatedAt, lastTickAt|false, paused|false}, or false when
           the template does not exist.
]]
if redis.call('HEXISTS', KEYS[1], 'json') == 0 then return false end
if (redis.call('HGET', KEYS[1], 'paused') or '0') ~= ARGV[1] then
  redis.call('HSET', KEYS[1], 'paused', ARGV[1], 'updatedAt', ARGV[2])
end
return redis.call('HMGET', KEYS[1], 'json', 'createdAt', 'updatedAt', 'lastTickAt', 'paused')
