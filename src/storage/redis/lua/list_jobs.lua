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
  ARGV[5]  search, lowercased ('' = none): matches as src/storage/search.ts says —
           id prefix, substring of the method or of the args' JSON, or ARGV[7..8]
  ARGV[6]  budget: most ids to inspect in one call, so a selective filter over
           a huge set cannot stall Redis
  ARGV[7]  `key:value` search: the top-level args field ('' = none)
  ARGV[8]  `key:value` search: the value, lowercased
  ARGV[9]  createdAt lower bound, ms inclusive ('' = none)
  ARGV[10] createdAt upper bound, ms exclusive ('' = none)
  ARGV[11..] the states to include
  Returns  {ids, nextCursor|false, scanned}. nextCursor is set when another match
           exists, or when the budget ran out first (the page may then be short).
]]
local base = KEYS[1]
local cursor, limit = ARGV[1], tonumber(ARGV[2])
local method, search, budget = ARGV[4], ARGV[5], tonumber(ARGV[6])
local fkey, fvalue = ARGV[7], ARGV[8]
local from, to = tonumber(ARGV[9]), tonumber(ARGV[10])
local needArgs = search ~= '' or from ~= nil or to ~= nil

-- The text of a field value as `key:value` compares it (JSON for anything but a string).
local function field_text(v)
  if type(v) == 'string' then return v end
  if v == cjson.null then return 'null' end
  if type(v) == 'table' then return cjson.encode(v) end
  return tostring(v)
end

local function args_match(args)
  if string.find(string.lower(args), search, 1, true) then return true end
  if fkey == '' or not string.find(args, '"' .. fkey .. '"', 1, true) then return false end
  local ok, t = pcall(cjson.decode, args)
  if not ok or type(t) ~= 'table' then return false end
  local v = t[fkey]
  return v ~= nil and string.lower(field_text(v)) == fvalue
end

local function matches(id, m, args, created)
  if not m then return false end
  if method ~= '' and m ~= method then return false end
  if from and (tonumber(created) or 0) < from then return false end
  if to and (tonumber(created) or 0) >= to then return false end
  if search == '' then return true end
  if string.sub(id, 1, #search) == search then return true end
  if string.find(string.lower(m), search, 1, true) then return true end
  return args_match(args or 'null')
end

local queues = { ARGV[3] }
if ARGV[3] == '' then queues = redis.call('SMEMBERS', base .. 'queues') end
local sets = {}
for _, q in ipairs(queues) do
  for i = 11, #ARGV do sets[#sets + 1] = base .. 'qs:' .. q .. ':' .. ARGV[i] end
end
local chunk = limit + 1
if method ~= '' or needArgs then chunk = math.max(chunk, 100) end
local ids, scanned = {}, 0
while true do
  local hi = '+'
  if cursor ~= '' then hi = '(' .. cursor end
  local cands, floor = {}, nil
  for _, key in ipairs(sets) do
    local got = redis.call('ZREVRANGEBYLEX', key, hi, '-', 'LIMIT', 0, chunk)
    for _, id in ipairs(got) do cands[#cands + 1] = id end
    -- A set that filled its chunk may hold more ids below its last one: the union is
    -- exact only down to the highest such last id.
    if #got == chunk and (floor == nil or got[chunk] > floor) then floor = got[chunk] end
  end
  if #cands == 0 then return { ids, false, scanned } end
  if #sets > 1 then table.sort(cands, function(a, b) return a > b end) end
  for c = 1, #cands do
    local id = cands[c]
    if floor ~= nil and id < floor then break end
    cursor = id
    scanned = scanned + 1
    local m, args, created
    if needArgs then
      local f = redis.call('HMGET', base .. 'j:' .. id, 'method', 'args', 'createdAt')
      m, args, created = f[1], f[2], f[3]
    else
      m = redis.call('HGET', base .. 'j:' .. id, 'method')
    end
    if matches(id, m, args, created) then
      if #ids == limit then return { ids, ids[#ids], scanned } end
      ids[#ids + 1] = id
    end
  end
  if scanned >= budget then return { ids, cursor, scanned } end
end
