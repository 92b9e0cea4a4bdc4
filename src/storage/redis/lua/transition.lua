--[[
  transition: apply decided transitions (src/transitions.ts), each only if its
  guard still holds (compare-and-set).

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  now (ms), for the lockExpired guard
  ARGV[2]  completedJobTtlMs: Redis-side expiry of final jobs, '0' for none
  ARGV[3]  JSON array of items, 14 strings each (codec.ts encodeTransition):
             id, guard state, guard lockedBy|'', guard lockExpired '1'|'',
             next state, runAt, attempts, result JSON|'', error JSON|'',
             startedAt|'', finishedAt|'', expiresAt|'', history entry JSON,
             '1' when the job ends already expired (deleted instead)|''
  Returns  one integer per item: 1 applied, 0 guard failed (or job gone, or
           revived job whose unique key another live job holds).
  Publishes `r<queue>` for queues that got Enqueued jobs and `c<id>` for a
  Processing job moved to Deleted.
]]
local base = KEYS[1]
local now, ttl = tonumber(ARGV[1]), tonumber(ARGV[2])
local OPTIONAL = { 'result', 'error', 'startedAt', 'finishedAt', 'expiresAt' }
local ready = {}
-- Index moves are collected and written per key after the batch (nothing below reads them).
local indexes = batch_indexes()

local function apply(a)
  local id = a[1]
  indexes.seen(id)
  local jk = base .. 'j:' .. id
  local cur = redis.call('HMGET', jk, 'state', 'lockedBy', 'lockedUntil', 'queue', 'priority',
    'runAt', 'uniqueKey')
  local state = cur[1]
  if not state or state ~= a[2] then return 0 end
  if a[3] ~= '' and cur[2] ~= a[3] then return 0 end
  if a[4] == '1' and not (cur[3] and tonumber(cur[3]) <= now) then return 0 end
  local nstate, queue, ukey = a[5], cur[4], cur[7]
  if ukey and FINAL[state] and not FINAL[nstate] then
    local holder = redis.call('HGET', base .. 'uniq', ukey)
    if holder and holder ~= id and is_live(base, holder) then return 0 end
    redis.call('HSET', base .. 'uniq', ukey, id)
  end
  index_removals(indexes.rem, base, id, state, queue, cur[6])
  if FINAL[nstate] and ukey and redis.call('HGET', base .. 'uniq', ukey) == id then
    redis.call('HDEL', base .. 'uniq', ukey)
  end
  if state == 'Processing' and nstate == 'Deleted' then
    redis.call('PUBLISH', base .. 'signals', 'c' .. id)
  end
  if a[14] == '1' then
    -- It ends already expired (a retention of 0): deleted now, as the purge would next.
    redis.call('DEL', jk, base .. 'h:' .. id)
    return 1
  end
  local set = { 'state', nstate, 'runAt', a[6], 'attempts', a[7] }
  local del = { 'lockedBy', 'lockedUntil' }
  for k = 1, 5 do
    local v = a[7 + k]
    if v == '' then
      del[#del + 1] = OPTIONAL[k]
    else
      set[#set + 1] = OPTIONAL[k]
      set[#set + 1] = v
    end
  end
  redis.call('HSET', jk, unpack(set))
  redis.call('HDEL', jk, unpack(del))
  local hk = base .. 'h:' .. id
  redis.call('RPUSH', hk, a[13])
  index_entries(indexes.add, base, id, nstate, queue, cur[5], a[6], '', a[12])
  if FINAL[nstate] then
    if ttl > 0 then
      redis.call('PEXPIRE', jk, ttl)
      redis.call('PEXPIRE', hk, ttl)
    end
  elseif FINAL[state] then
    redis.call('PERSIST', jk)
    redis.call('PERSIST', hk)
  end
  if nstate == 'Enqueued' then ready[queue] = true end
  return 1
end

local out = {}
for i, item in ipairs(cjson.decode(ARGV[3])) do out[i] = apply(item) end
indexes.flush()
publish_ready(base, ready)
return out
