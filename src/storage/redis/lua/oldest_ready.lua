--[[
  oldest_ready: per queue with Enqueued jobs, the earliest runAt among them (read only).

  `{prefix}:r:<queue>` scores a job by -priority and, within one score, orders members
  `runAt(15 digits) .. id` bytewise: the first member of each score holds that priority's
  earliest runAt. This visits one member per distinct priority (ZRANGEBYSCORE past the
  previous score), never the jobs of a priority.

  KEYS[1]  key base `{prefix}:`
  Returns  {queue, runAt ms} per queue holding ready jobs.
]]
local base = KEYS[1]
local out = {}
for _, q in ipairs(redis.call('SMEMBERS', base .. 'queues')) do
  local key = base .. 'r:' .. q
  local best = nil
  local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  while head[1] do
    local at = tonumber(string.sub(head[1], 1, 15))
    if best == nil or at < best then best = at end
    head = redis.call('ZRANGEBYSCORE', key, '(' .. head[2], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  end
  if best then out[#out + 1] = { q, best } end
end
return out
