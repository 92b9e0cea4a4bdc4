--[[
  record_activity: add metric deltas to their minute and hour buckets and publish job
  changes, in one atomic step (one round trip per result batch).

  A bucket is a hash `{prefix}:mm:<minute ms>` (or `mh:<hour ms>`) whose fields are
  `<queue>\0<method>\0<counter>`: `ok`, `fail`, `retry`, and `r<i>` / `w<i>` for the
  run and wait histograms (only non-zero elements are written). Hours are kept up to
  date as minutes are written, so compaction only has to drop old minutes. Sorted sets
  `mmi` and `mhi` index the buckets by time.

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  JSON array of rows: {minute ms, hour ms, queue, method, ok, fail, retry,
           run histogram, wait histogram}
  ARGV[2..] messages to PUBLISH on the signals channel, in order
  Returns  1.
]]
local base = KEYS[1]
for _, d in ipairs(cjson.decode(ARGV[1])) do
  local pair = d[3] .. '\0' .. d[4] .. '\0'
  for _, key in ipairs({ base .. 'mm:' .. d[1], base .. 'mh:' .. d[2] }) do
    redis.call('HINCRBY', key, pair .. 'ok', d[5])
    if d[6] ~= 0 then redis.call('HINCRBY', key, pair .. 'fail', d[6]) end
    if d[7] ~= 0 then redis.call('HINCRBY', key, pair .. 'retry', d[7]) end
    for i, v in ipairs(d[8]) do
      if v ~= 0 then redis.call('HINCRBY', key, pair .. 'r' .. i, v) end
    end
    for i, v in ipairs(d[9]) do
      if v ~= 0 then redis.call('HINCRBY', key, pair .. 'w' .. i, v) end
    end
  end
  redis.call('ZADD', base .. 'mmi', d[1], d[1])
  redis.call('ZADD', base .. 'mhi', d[2], d[2])
end
for i = 2, #ARGV do redis.call('PUBLISH', base .. 'signals', ARGV[i]) end
return 1
