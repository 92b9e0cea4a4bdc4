--[[
  list_jobs: one page of job ids, newest first (read only).

  Walks the score-0 id sets `{prefix}:qs:<queue>:<state>` of the wanted queues
  and states (derived here from KEYS[1]: which sets exist is only known inside
  Redis), merging them newest first — UUIDv7 ids sort by creation time. The merge
  keeps a buffer per non-empty set and refills a set only when its buffer runs
  out, so every id is read once, whatever the number of sets.

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  cursor: only ids below it ('' = from the newest)
  ARGV[2]  limit (0: only whether one more match follows)
  ARGV[3]  queue ('' = every queue in `{prefix}:queues`)
  ARGV[4]  method filter ('' = any)
  ARGV[5]  search, lowercased ('' = none): matches as src/storage/search.ts says —
           id prefix, substring of the method or of the args' JSON, or ARGV[7..8]
  ARGV[6]  cap: most ids to inspect in this call, so that a selective filter over a
           huge set cannot stall Redis (the caller goes on from the returned cursor)
  ARGV[7]  `key:value` search: the top-level args field ('' = none)
  ARGV[8]  `key:value` search: the value, lowercased
  ARGV[9]  createdAt lower bound, ms inclusive ('' = none)
  ARGV[10] createdAt upper bound, ms exclusive ('' = none)
  ARGV[11] bound: most jobs passing the queue, state and method filters to scan for the
           search and range (SEARCH_SCAN_LIMIT minus what earlier calls scanned; 0 = none)
  ARGV[12..] the states to include
  Returns  {ids, cursor|false, scanned, stop}: `scanned` counts the jobs the bound
           counts; `stop` says why the walk ended — 'end' (no more ids), 'full' (another
           match exists below `cursor`), 'bound' (the bound is reached) or 'cap' (this
           call's cap: go on from `cursor`; the page may be short).
]]
local base = KEYS[1]
local cursor, limit = ARGV[1], tonumber(ARGV[2])
local method, search, budget = ARGV[4], ARGV[5], tonumber(ARGV[6])
local fkey, fvalue = ARGV[7], ARGV[8]
local from, to = tonumber(ARGV[9]), tonumber(ARGV[10])
local bound = tonumber(ARGV[11])
local ranged = from ~= nil or to ~= nil
-- A field value that JSON would not escape appears in the args text as is: a cheap
-- test before any parse.
local fplain = fkey ~= '' and not string.find(fvalue, '["\\%c]')

-- The text of a field value as `key:value` compares it (JSON for anything but a string).
local function field_text(v)
  if type(v) == 'string' then return v end
  if v == cjson.null then return 'null' end
  if type(v) == 'table' then return cjson.encode(v) end
  return tostring(v)
end

local function args_match(args)
  local lower = string.lower(args)
  if string.find(lower, search, 1, true) then return true end
  if fkey == '' or not string.find(args, '"' .. fkey .. '"', 1, true) then return false end
  if fplain and not string.find(lower, fvalue, 1, true) then return false end
  local ok, t = pcall(cjson.decode, args)
  if not ok or type(t) ~= 'table' then return false end
  local v = t[fkey]
  return v ~= nil and string.lower(field_text(v)) == fvalue
end

-- Reads only the fields the filters need, and nothing for an id that matches by prefix
-- when no method filter needs checking.
local fields = { 'method' }
if search ~= '' then fields[#fields + 1] = 'args' end
if ranged then fields[#fields + 1] = 'createdAt' end

-- The search and range on a job whose method `m` passed the method filter.
local function search_match(id, m, f)
  if ranged then
    local created = tonumber(f[#fields]) or 0
    if from and created < from then return false end
    if to and created >= to then return false end
  end
  if search == '' then return true end
  if string.sub(id, 1, #search) == search then return true end
  if string.find(string.lower(m), search, 1, true) then return true end
  return args_match(f[2] or 'null')
end

-- Whether the job passes the method filter (what the bound counts), and whether it
-- matches every filter.
local function matches(id)
  if method == '' then
    if search == '' and not ranged then return true, true end
    if not ranged and string.sub(id, 1, #search) == search then return true, true end
  end
  local f = redis.call('HMGET', base .. 'j:' .. id, unpack(fields))
  local m = f[1]
  if not m then return false, false end -- purged meanwhile
  if method ~= '' and m ~= method then return false, false end
  return true, search_match(id, m, f)
end

local queues = { ARGV[3] }
if ARGV[3] == '' then queues = redis.call('SMEMBERS', base .. 'queues') end

-- One buffer per non-empty set. A set is read `chunk` ids at a time; the chunk grows
-- while a set keeps being drained (a plain page reads little, a long scan reads big).
local first = limit + 1
if method ~= '' or search ~= '' or ranged then first = math.max(first, 128) end
local keys, bufs, pos, chunk, more = {}, {}, {}, {}, {}
local function refill(k, below)
  local hi = '+'
  if below ~= '' then hi = '(' .. below end
  local got = redis.call('ZREVRANGEBYLEX', keys[k], hi, '-', 'LIMIT', 0, chunk[k])
  bufs[k], pos[k], more[k] = got, 1, #got == chunk[k]
  chunk[k] = math.min(chunk[k] * 2, 2048)
end
local n = 0
for _, q in ipairs(queues) do
  for i = 12, #ARGV do
    n = n + 1
    keys[n], chunk[n] = base .. 'qs:' .. q .. ':' .. ARGV[i], first
    refill(n, cursor)
    if #bufs[n] == 0 then n = n - 1 end -- empty: its slot is reused by the next set
  end
end

-- The newest id left in any set, taken from its buffer ('nil' when all are done).
local function pop()
  local best, bk = nil, nil
  for k = 1, n do
    local b = bufs[k]
    local h = b[pos[k]]
    if h == nil and more[k] then
      refill(k, b[#b])
      h = bufs[k][1]
    end
    if h ~= nil and (best == nil or h > best) then best, bk = h, k end
  end
  if bk then pos[bk] = pos[bk] + 1 end
  return best
end

local ids, scanned, inspected = {}, 0, 0
while true do
  if bound > 0 and scanned >= bound then return { ids, cursor, scanned, 'bound' } end
  if inspected >= budget then return { ids, cursor, scanned, 'cap' } end
  local id = pop()
  if id == nil then return { ids, false, scanned, 'end' } end
  inspected = inspected + 1
  local counted, hit = matches(id)
  if hit and #ids == limit then return { ids, ids[#ids] or false, scanned, 'full' } end
  cursor = id
  if counted then scanned = scanned + 1 end
  if hit then ids[#ids + 1] = id end
end
