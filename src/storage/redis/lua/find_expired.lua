--[[
  find_expired: Processing jobs whose lock lapsed, oldest lock first (read only).

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  now (ms): locks with lockedUntil <= now have lapsed
  ARGV[2]  limit
  Returns  one JSON array of {id, HMGET of JOB_FIELDS, history}.
]]
local base = KEYS[1]
local ids = redis.call('ZRANGEBYSCORE', base .. 'proc', '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local out = {}
for _, id in ipairs(ids) do
  local job = load_job(base, id)
  if job and job[2][5] == 'Processing' then out[#out + 1] = job end
end
return cjson.encode(out)
