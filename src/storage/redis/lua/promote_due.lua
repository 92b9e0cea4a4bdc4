--[[
  promote_due: Scheduled and AwaitingRetry jobs with runAt <= now become Enqueued.

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  now (ms)
  ARGV[2]  limit
  ARGV[3]  history entry JSON (promotedEntry)
  Returns  how many jobs were promoted.
  Publishes `r<queue>` once per queue that received jobs.
]]
local base = KEYS[1]
local sk = base .. 'sched'
local ids = redis.call('ZRANGEBYSCORE', sk, '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
local ready, n = {}, 0
for _, id in ipairs(ids) do
  redis.call('ZREM', sk, id)
  local jk = base .. 'j:' .. id
  local cur = redis.call('HMGET', jk, 'state', 'queue', 'priority', 'runAt')
  if cur[1] == 'Scheduled' or cur[1] == 'AwaitingRetry' then
    local queue = cur[2]
    redis.call('ZREM', base .. 'qs:' .. queue .. ':' .. cur[1], id)
    redis.call('HSET', jk, 'state', 'Enqueued')
    redis.call('RPUSH', base .. 'h:' .. id, ARGV[3])
    place(base, id, 'Enqueued', queue, cur[3], cur[4], '', '')
    ready[queue] = true
    n = n + 1
  end
end
publish_ready(base, ready)
return n
