--[[
  query_metrics: the metrics history in [from, to), summed per bucket (read only).
  Layout: see record_activity.lua. Minute resolution reads minute buckets from the
  compaction cut `{prefix}:mcut` on and the hours before it (their minutes are gone).

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  from (ms)  ARGV[2] to (ms)  ARGV[3] 'minute' or 'hour'
  ARGV[4]  queue ('' = every queue)  ARGV[5] method ('' = every method)
  ARGV[6]  histogram length
  Returns  a JSON array of rows {at ms, ok, fail, retry, run histogram, wait
           histogram}, oldest first.
]]
local base = KEYS[1]
local from, to, res = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local queue, method, n = ARGV[4], ARGV[5], tonumber(ARGV[6])
local sums, order = {}, {}

local function add(at, key)
  local f = redis.call('HGETALL', key)
  for i = 1, #f, 2 do
    local name = f[i]
    local a = string.find(name, '\0', 1, true)
    local b = string.find(name, '\0', a + 1, true)
    if (queue == '' or string.sub(name, 1, a - 1) == queue) and
        (method == '' or string.sub(name, a + 1, b - 1) == method) then
      local row = sums[at]
      if not row then
        row = { at, 0, 0, 0, {}, {} }
        for j = 1, n do row[5][j] = 0; row[6][j] = 0 end
        sums[at] = row
        order[#order + 1] = at
      end
      local c, v = string.sub(name, b + 1), tonumber(f[i + 1])
      if c == 'ok' then row[2] = row[2] + v
      elseif c == 'fail' then row[3] = row[3] + v
      elseif c == 'retry' then row[4] = row[4] + v
      else
        local hist = row[5]
        if string.sub(c, 1, 1) == 'w' then hist = row[6] end
        local j = tonumber(string.sub(c, 2))
        if j and j <= n then hist[j] = hist[j] + v end
      end
    end
  end
end

local function walk(index, prefix, lo, hi)
  if lo >= hi then return end
  for _, at in ipairs(redis.call('ZRANGEBYSCORE', base .. index, lo, '(' .. hi)) do
    add(tonumber(at), base .. prefix .. at)
  end
end

if res == 'hour' then
  walk('mhi', 'mh:', from, to)
else
  local cut = tonumber(redis.call('GET', base .. 'mcut') or '0')
  walk('mhi', 'mh:', from, math.min(to, cut))
  walk('mmi', 'mm:', math.max(from, cut), to)
end
table.sort(order)
local out = {}
for i, at in ipairs(order) do
  local row = sums[at]
  row[1] = string.format('%d', at)
  out[i] = row
end
if #out == 0 then return '[]' end
return cjson.encode(out)
