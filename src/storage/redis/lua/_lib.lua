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

-- The ZADDs of one job entering `state`, as (key, score, member) through `add`.
local function index_entries(add, base, id, state, queue, prio, run_at, locked_until, expires_at)
  add(base .. 'qs:' .. queue .. ':' .. state, 0, id)
  if state == 'Enqueued' then
    add(base .. 'r:' .. queue, -tonumber(prio), ready_member(run_at, id))
  elseif state == 'Scheduled' or state == 'AwaitingRetry' then
    add(base .. 'sched', run_at, id)
  elseif state == 'Processing' then
    if not locked_until or locked_until == '' then locked_until = 0 end
    add(base .. 'proc', locked_until, id)
  elseif FINAL[state] and expires_at and expires_at ~= '' then
    add(base .. 'exp', expires_at, exp_member(id, state, queue))
  end
end

local function zadd_now(key, score, member) redis.call('ZADD', key, score, member) end

-- Add a job to the indexes of `state`.
local function place(base, id, state, queue, prio, run_at, locked_until, expires_at)
  index_entries(zadd_now, base, id, state, queue, prio, run_at, locked_until, expires_at)
end

-- Append `a` and `b` to the argument list of `key` in `by_key` (keys in first-use order).
local function collect(by_key, keys, key, a, b)
  local args = by_key[key]
  if not args then
    args = {}
    by_key[key] = args
    keys[#keys + 1] = key
  end
  args[#args + 1] = a
  if b ~= nil then args[#args + 1] = b end
end

-- One `cmd` per key (per 2,000 arguments) for the collected arguments.
local function write_collected(cmd, by_key, keys)
  for _, key in ipairs(keys) do
    local args = by_key[key]
    for k = 1, #args, 2000 do
      redis.call(cmd, key, unpack(args, k, math.min(k + 1999, #args)))
    end
  end
end

--[[
  Index writes of a batch, collected per key and written by `flush` with one ZREM and one
  ZADD per key (per 1,000 members), removals first: a batch then costs a few calls per job
  instead of one per index entry. Nothing in a batch reads these indexes before `flush`;
  a batch that touches one job twice flushes in between (see `seen`), so its removals and
  additions keep their order.
]]
local function batch_indexes()
  local adds, add_keys, rems, rem_keys = {}, {}, {}, {}
  local ids = {}
  local b = { queues = {} } -- queues already added to the `queues` set
  function b.add(key, score, member) collect(adds, add_keys, key, score, member) end
  function b.rem(key, member) collect(rems, rem_keys, key, member) end
  function b.flush()
    write_collected('ZREM', rems, rem_keys)
    write_collected('ZADD', adds, add_keys)
    adds, add_keys, rems, rem_keys, ids = {}, {}, {}, {}, {}
  end
  -- Before touching job `id`: flush if this batch has touched it already.
  function b.seen(id)
    if ids[id] then b.flush() end
    ids[id] = true
  end
  return b
end

-- The ZREMs of one job leaving `state` (its hash must still hold runAt), through `rem`.
local function index_removals(rem, base, id, state, queue, run_at)
  rem(base .. 'qs:' .. queue .. ':' .. state, id)
  if state == 'Enqueued' then
    rem(base .. 'r:' .. queue, ready_member(run_at, id))
  elseif state == 'Scheduled' or state == 'AwaitingRetry' then
    rem(base .. 'sched', id)
  elseif state == 'Processing' then
    rem(base .. 'proc', id)
  elseif FINAL[state] then
    rem(base .. 'exp', exp_member(id, state, queue))
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
local function store_job(base, job, ready, indexes)
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
  if indexes then
    index_entries(indexes.add, base, id, state, queue, prio, run_at, locked_until, expires_at)
    if not indexes.queues[queue] then
      indexes.queues[queue] = true
      redis.call('SADD', base .. 'queues', queue)
    end
  else
    place(base, id, state, queue, prio, run_at, locked_until, expires_at)
    redis.call('SADD', base .. 'queues', queue)
  end
  if state == 'Enqueued' then ready[queue] = true end
  return ''
end
