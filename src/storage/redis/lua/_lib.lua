--[[
  Shared helpers, prepended by scripts.ts to the scripts that use them (never
  run alone).

  Every script gets the key base `{prefix}:` as KEYS[1] and derives job and
  queue keys from it with the suffixes of keys.ts. Derived keys carry the same
  hash tag as KEYS[1], so they live in its cluster slot.

  Times are epoch milliseconds as decimal strings; a null job field is absent.
]]
local JOB_FIELDS = {
  'method', 'args', 'queue', 'priority', 'state', 'attempts', 'maxAttempts', 'backoff',
  'timeoutMs', 'runAt', 'createdAt', 'startedAt', 'finishedAt', 'expiresAt', 'lockedBy',
  'lockedUntil', 'result', 'error', 'uniqueKey', 'progress', 'traceContext',
}
local FINAL = { Succeeded = true, Failed = true, Deleted = true }
local LIVE = { Enqueued = true, Scheduled = true, Processing = true, AwaitingRetry = true }

-- Ready-set member: zero-padded runAt then id, so equal priorities (equal
-- scores) order by runAt, then id, compared bytewise by Redis.
local function ready_member(run_at, id)
  local n = tonumber(run_at) or 0
  if n < 0 then n = 0 end
  return string.format('%015d', n) .. id
end

-- Expiry-set member: carries state and queue so a purge can clean every index
-- even when Redis already expired the job hash (completedJobTtlMs).
local function exp_member(id, state, queue)
  return cjson.encode({ id, state, queue })
end

-- Add a job to the indexes of `state`.
local function place(base, id, state, queue, prio, run_at, locked_until, expires_at)
  redis.call('ZADD', base .. 'qs:' .. queue .. ':' .. state, 0, id)
  if state == 'Enqueued' then
    redis.call('ZADD', base .. 'r:' .. queue, -tonumber(prio), ready_member(run_at, id))
  elseif state == 'Scheduled' or state == 'AwaitingRetry' then
    redis.call('ZADD', base .. 'sched', run_at, id)
  elseif state == 'Processing' then
    if not locked_until or locked_until == '' then locked_until = 0 end
    redis.call('ZADD', base .. 'proc', locked_until, id)
  elseif FINAL[state] and expires_at and expires_at ~= '' then
    redis.call('ZADD', base .. 'exp', expires_at, exp_member(id, state, queue))
  end
end

-- Remove a job from the indexes of `state` (its hash must still hold runAt).
local function unplace(base, id, state, queue, run_at)
  redis.call('ZREM', base .. 'qs:' .. queue .. ':' .. state, id)
  if state == 'Enqueued' then
    redis.call('ZREM', base .. 'r:' .. queue, ready_member(run_at, id))
  elseif state == 'Scheduled' or state == 'AwaitingRetry' then
    redis.call('ZREM', base .. 'sched', id)
  elseif state == 'Processing' then
    redis.call('ZREM', base .. 'proc', id)
  elseif FINAL[state] then
    redis.call('ZREM', base .. 'exp', exp_member(id, state, queue))
  end
end

local function is_live(base, id)
  local s = redis.call('HGET', base .. 'j:' .. id, 'state')
  return s and LIVE[s] or false
end

-- {id, HMGET of JOB_FIELDS, history} or false when the job is gone. Scripts
-- return batches of these as one cjson-encoded string.
local function load_job(base, id)
  local f = redis.call('HMGET', base .. 'j:' .. id, unpack(JOB_FIELDS))
  if not f[5] then return false end
  return { id, f, redis.call('LRANGE', base .. 'h:' .. id, 0, -1) }
end

local function publish_ready(base, queues)
  for q in pairs(queues) do redis.call('PUBLISH', base .. 'signals', 'r' .. q) end
end

--[[
  Store one job, decoded from JSON: {id, values of JOB_FIELDS ('' = null),
  history entries}. Returns '' when stored, or the id of the live job holding
  its unique key. A job whose hash already exists (an enqueue resent after a
  dropped reply) counts as stored and is left untouched.
]]
local function store_job(base, job, ready)
  local id, v, hist = job[1], job[2], job[3]
  local queue, prio, state, run_at = v[3], v[4], v[5], v[10]
  local expires_at, locked_until, ukey = v[14], v[16], v[19]
  local live = LIVE[state]
  if ukey ~= '' and live then
    local holder = redis.call('HGET', base .. 'uniq', ukey)
    if holder and holder ~= id and is_live(base, holder) then return holder end
  end
  local jk = base .. 'j:' .. id
  if redis.call('EXISTS', jk) == 1 then return '' end
  local set = {}
  for k = 1, #JOB_FIELDS do
    if v[k] ~= '' then
      set[#set + 1] = JOB_FIELDS[k]
      set[#set + 1] = v[k]
    end
  end
  redis.call('HSET', jk, unpack(set))
  if #hist > 0 then redis.call('RPUSH', base .. 'h:' .. id, unpack(hist)) end
  if ukey ~= '' and live then redis.call('HSET', base .. 'uniq', ukey, id) end
  place(base, id, state, queue, prio, run_at, locked_until, expires_at)
  redis.call('SADD', base .. 'queues', queue)
  if state == 'Enqueued' then ready[queue] = true end
  return ''
end
