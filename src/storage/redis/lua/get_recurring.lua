--[[
  get_recurring: recurring templates by name (read only).

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  a template name, or '' for every template
  Returns  per template, by name: {json, createdAt, updatedAt, lastTickAt|false, paused|false,
           name} (the name also inside json: it is read from there unless json is unreadable)
]]
local base = KEYS[1]
local names = { ARGV[1] }
if ARGV[1] == '' then names = redis.call('ZRANGE', base .. 'recs', 0, -1) end
local out = {}
for _, name in ipairs(names) do
  local row = redis.call('HMGET', base .. 'rec:' .. name, 'json', 'createdAt', 'updatedAt',
    'lastTickAt', 'paused')
  if row[1] then
    row[6] = name
    out[#out + 1] = row
  end
end
return out
