--[[
  purge_expired: hard-delete final jobs whose expiresAt <= now, with every
  index entry (also for jobs Redis already expired via completedJobTtlMs).

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  now (ms)
  ARGV[2]  limit
  Returns  how many jobs were purged.
]]
local base = KEYS[1]
local ek = base .. 'exp'
local members = redis.call('ZRANGEBYSCORE', ek, '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, m in ipairs(members) do
  local t = cjson.decode(m)
  local id, state, queue = t[1], t[2], t[3]
  local jk = base .. 'j:' .. id
  local ukey = redis.call('HGET', jk, 'uniqueKey')
  if ukey and redis.call('HGET', base .. 'uniq', ukey) == id then
    redis.call('HDEL', base .. 'uniq', ukey)
  end
  redis.call('ZREM', ek, m)
  redis.call('DEL', jk, base .. 'h:' .. id)
  redis.call('ZREM', base .. 'qs:' .. queue .. ':' .. state, id)
end
return #members
