--[[
  list_jobs: one page of job ids, newest first (read only).

  Walks the score-0 id sets `{prefix}:qs:<queue>:<state>` of the wanted queues
  and states (derived here from KEYS[1]: which sets exist is only known inside
  Redis), merging them newest first — UUIDv7 ids sort by creation time.

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  cursor: only ids below it ('' = from the newest)
  ARGV[2]  limit
  ARGV[3]  queue ('' = every queue in `{prefix}:queues`)
  ARGV[4]  method filter ('' = any)
  ARGV[5]  search, lowercased: substring of the id or the lowercased method ('' = none)
  ARGV[6]  budget: most ids to inspect in one call, so a selective filter over
           a huge set cannot stall Redis
  ARGV[7..] the states to include
  Returns  {ids, nextCursor|false}. nextCursor is set when another match
           exists, or when the budget ran out first (the page may then be short).
]]
local base = KEYS[1]
local cursor, limit = ARGV[1], tonumber(ARGV[2])
local method, search, budget = ARGV[4], ARGV[5], tonumber(ARGV[6])
local queues = { ARGV[3] }
if ARGV[3] == '' then queues = redis.call('SMEMBERS', base .. 'queues') end
local sets = {}
for _, q in ipairs(queues) do
  for i = 7, #ARGV do sets[#sets + 1] = base .. 'qs:' .. q .. ':' .. ARGV[i] end
end
local chunk = limit + 1
if method ~= '' or search ~= '' then chunk = math.max(chunk, 100) end
local ids, scanned = {}, 0
while true do
  local hi = '+'
  if cursor ~= '' then hi = '(' .. cursor end
  local cands = {}
  for _, key in ipairs(sets) do
    for _, id in ipairs(redis.call('ZREVRANGEBYLEX', key, hi, '-', 'LIMIT', 0, chunk)) do
      cands[#cands + 1] = id
    end
  end
  if #cands == 0 then return { ids, false } end
  -- Each set gave its newest `chunk`, so the newest `chunk` of the union are exact.
  if #sets > 1 then table.sort(cands, function(a, b) return a > b end) end
  for c = 1, math.min(#cands, chunk) do
    local id = cands[c]
    cursor = id
    scanned = scanned + 1
    local m = redis.call('HGET', base .. 'j:' .. id, 'method')
    if m and (method == '' or m == method) and (search == '' or
        string.find(id, search, 1, true) or string.find(string.lower(m), search, 1, true)) then
      if #ids == limit then return { ids, ids[#ids] } end
      ids[#ids + 1] = id
    end
  end
  if scanned >= budget then return { ids, cursor } end
end
