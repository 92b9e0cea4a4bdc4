--[[
  fetch_and_lock: take up to `limit` ready jobs, queues in strict order, then
  priority desc, runAt, id (the ready-set order), and lock them.

  KEYS[1]     key base `{prefix}:`
  KEYS[2..n]  ready sets `{prefix}:r:<queue>`, in queue order
  ARGV[1]     now (ms)
  ARGV[2]     limit
  ARGV[3]     server name (lock holder)
  ARGV[4]     lockedUntil (ms)
  ARGV[5]     history entry JSON (fetchedEntry)
  ARGV[6..]   queue names, aligned with KEYS[2..]
  Returns     the locked jobs as one JSON array of {id, HMGET of JOB_FIELDS, history}.
]]
local base = KEYS[1]
local now, need = tonumber(ARGV[1]), tonumber(ARGV[2])
local server, locked_until, entry = ARGV[3], ARGV[4], ARGV[5]
local out = {}
-- Index moves are collected and written per key at the end (nothing below reads them).
local indexes = batch_indexes()
for k = 2, #KEYS do
  if need <= 0 then break end
  local rk, queue = KEYS[k], ARGV[k + 4]
  local enqueued, processing = base .. 'qs:' .. queue .. ':Enqueued',
    base .. 'qs:' .. queue .. ':Processing'
  -- Members with a future runAt (an Enqueued job stored ahead of the caller's
  -- clock) stay in place and are stepped over.
  local skip = 0
  while need > 0 do
    local batch = redis.call('ZRANGE', rk, skip, skip + need - 1)
    if #batch == 0 then break end
    local taken = {}
    for _, m in ipairs(batch) do
      if tonumber(string.sub(m, 1, 15)) > now then
        skip = skip + 1
      else
        taken[#taken + 1] = m
        local id = string.sub(m, 16)
        local jk = base .. 'j:' .. id
        -- The job as stored; a member whose hash is gone is dropped from the set.
        local f = redis.call('HMGET', jk, unpack(JOB_FIELDS))
        if f[5] then
          local attempts = tostring((tonumber(f[6]) or 0) + 1)
          redis.call('HSET', jk, 'state', 'Processing', 'startedAt', ARGV[1],
            'lockedBy', server, 'lockedUntil', locked_until, 'attempts', attempts)
          -- What it holds now (JOB_FIELDS positions), without reading it again.
          f[5], f[6], f[12], f[15], f[16] = 'Processing', attempts, ARGV[1], server, locked_until
          local hk = base .. 'h:' .. id
          redis.call('RPUSH', hk, entry)
          indexes.add(base .. 'proc', locked_until, id)
          indexes.rem(enqueued, id)
          indexes.add(processing, 0, id)
          out[#out + 1] = { id, f, redis.call('LRANGE', hk, 0, -1) }
          need = need - 1
        end
      end
    end
    -- Before the next ZRANGE, whose offset counts only the members stepped over.
    if #taken > 0 then redis.call('ZREM', rk, unpack(taken)) end
  end
end
indexes.flush()
return cjson.encode(out)
