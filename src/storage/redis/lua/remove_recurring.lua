--[[
  remove_recurring: delete a recurring template.

  KEYS[1]  key base `{prefix}:`
  KEYS[2]  the template hash `{prefix}:rec:<name>`
  ARGV[1]  name
  Returns  1 when it existed, else 0.
]]
redis.call('ZREM', KEYS[1] .. 'recs', ARGV[1])
return redis.call('DEL', KEYS[2])
