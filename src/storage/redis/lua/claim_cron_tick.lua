--[[
  claim_cron_tick: compare-and-set a template's lastTickAt and store the tick's
  job in the same step, so exactly one of many concurrent claimers wins.

  KEYS[1]  key base `{prefix}:`
  KEYS[2]  the template hash `{prefix}:rec:<name>`
  ARGV[1]  tickAt (ms)
  ARGV[2]  the job as JSON, laid out as one job of enqueue.lua
  Returns  false when the claim lost (no template, paused, or lastTickAt >= tickAt);
           '' when the job was stored; else the id of the live job holding
           its unique key.
]]
local base = KEYS[1]
if redis.call('HEXISTS', KEYS[2], 'json') == 0 then return false end
if redis.call('HGET', KEYS[2], 'paused') == '1' then return false end
local last = redis.call('HGET', KEYS[2], 'lastTickAt')
if last and tonumber(last) >= tonumber(ARGV[1]) then return false end
redis.call('HSET', KEYS[2], 'lastTickAt', ARGV[1])
local ready = {}
local holder = store_job(base, cjson.decode(ARGV[2]), ready)
publish_ready(base, ready)
return holder
