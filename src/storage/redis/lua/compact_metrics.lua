--[[
  compact_metrics: drop minute buckets of hours older than the cut (the hour buckets
  already hold them: record_activity.lua writes both) and hour buckets older than 90
  days. Layout: see record_activity.lua.

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  minute cut (ms, an hour start): minute buckets before it go
  ARGV[2]  hour cut (ms): hour buckets before it go
  Returns  how many (bucket, queue, method) rows went.
]]
local base = KEYS[1]
local gone = 0

local function drop(index, prefix, cut)
  for _, at in ipairs(redis.call('ZRANGEBYSCORE', base .. index, '-inf', '(' .. cut)) do
    local key = base .. prefix .. at
    for _, name in ipairs(redis.call('HKEYS', key)) do
      if string.sub(name, -3) == '\0ok' then gone = gone + 1 end
    end
    redis.call('DEL', key)
    redis.call('ZREM', base .. index, at)
  end
end

drop('mmi', 'mm:', ARGV[1])
local cut = tonumber(redis.call('GET', base .. 'mcut') or '0')
if tonumber(ARGV[1]) > cut then redis.call('SET', base .. 'mcut', ARGV[1]) end
drop('mhi', 'mh:', ARGV[2])
return gone
