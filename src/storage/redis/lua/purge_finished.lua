--[[
  purge_finished: hard-delete final jobs (Succeeded, Failed, Deleted) whose
  finishedAt < before, with every index entry, as purge_expired does.

  There is no index by finishedAt: each (queue, final state) id set is read
  oldest id first (ids are time-ordered, so old finished jobs come first) and
  at most ARGV[3] ids are inspected per set, so one call's work is bounded by
  queues x 3 x ARGV[3]. A job created long ago that finished recently is kept
  and inspected again by the next call, so a call can come back short while
  older finished jobs remain behind more than ARGV[3] such jobs.

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  before (ms)
  ARGV[2]  limit: most jobs deleted
  ARGV[3]  most ids inspected per (queue, state) set
  Returns  how many jobs were purged.
]]
local base = KEYS[1]
local before = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local budget = tonumber(ARGV[3])
local ek = base .. 'exp'
local n = 0
for _, queue in ipairs(redis.call('SMEMBERS', base .. 'queues')) do
  for _, state in ipairs({ 'Succeeded', 'Failed', 'Deleted' }) do
    if n >= limit then return n end
    local qs = base .. 'qs:' .. queue .. ':' .. state
    for _, id in ipairs(redis.call('ZRANGEBYLEX', qs, '-', '+', 'LIMIT', 0, budget)) do
      if n >= limit then break end
      local jk = base .. 'j:' .. id
      local f = redis.call('HMGET', jk, 'finishedAt', 'uniqueKey')
      -- A missing hash was already expired by Redis (completedJobTtlMs): only
      -- its index entries remain, and they go too.
      local exists = redis.call('EXISTS', jk) == 1
      local finished = tonumber(f[1])
      if not exists or (finished and finished < before) then
        local ukey = f[2]
        if ukey and redis.call('HGET', base .. 'uniq', ukey) == id then
          redis.call('HDEL', base .. 'uniq', ukey)
        end
        redis.call('ZREM', ek, cjson.encode({ id, state, queue }))
        redis.call('DEL', jk, base .. 'h:' .. id)
        redis.call('ZREM', qs, id)
        n = n + 1
      end
    end
  end
end
return n
