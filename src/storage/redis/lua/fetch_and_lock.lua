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
for k = 2, #KEYS do
  if need <= 0 then break end
  local rk, queue = KEYS[k], ARGV[k + 4]
  -- Members with a future runAt (an Enqueued job stored ahead of the caller's
  -- clock) stay in place and are stepped over.
  local skip = 0
  while need > 0 do
    local batch = redis.call('ZRANGE', rk, skip, skip + need - 1)
    if #batch == 0 then break end
    for _, m in ipairs(batch) do
      if tonumber(string.sub(m, 1, 15)) > now then
        skip = skip + 1
      else
        redis.call('ZREM', rk, m)
        local id = string.sub(m, 16)
        local jk = base .. 'j:' .. id
        if redis.call('EXISTS', jk) == 1 then
          redis.call('HSET', jk, 'state', 'Processing', 'startedAt', ARGV[1],
            'lockedBy', server, 'lockedUntil', locked_until)
          redis.call('HINCRBY', jk, 'attempts', 1)
          redis.call('RPUSH', base .. 'h:' .. id, entry)
          redis.call('ZADD', base .. 'proc', locked_until, id)
          redis.call('ZREM', base .. 'qs:' .. queue .. ':Enqueued', id)
          redis.call('ZADD', base .. 'qs:' .. queue .. ':Processing', 0, id)
          out[#out + 1] = load_job(base, id)
          need = need - 1
        end
      end
    end
  end
end
return cjson.encode(out)
