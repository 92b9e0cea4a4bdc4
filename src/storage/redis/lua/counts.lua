--[[
  counts: job counts per queue and state, from the cardinality of the
  per-(queue, state) id sets (read only; exact, no counter to drift).

  KEYS[1]  key base `{prefix}:`
  ARGV     the state names
  Returns  {queue, count per ARGV state...} per queue.
]]
local base = KEYS[1]
local out = {}
for _, q in ipairs(redis.call('SMEMBERS', base .. 'queues')) do
  local row = { q }
  for i = 1, #ARGV do row[i + 1] = redis.call('ZCARD', base .. 'qs:' .. q .. ':' .. ARGV[i]) end
  out[#out + 1] = row
end
return out
