--[[
  get_jobs: read jobs with their history in one consistent step (read only).

  KEYS[1]  key base `{prefix}:`
  ARGV     job ids
  Returns  one JSON array with, per id in order, {id, HMGET of JOB_FIELDS, history}
           or false when the job is gone.
]]
local out = {}
for i = 1, #ARGV do out[i] = load_job(KEYS[1], ARGV[i]) end
return cjson.encode(out)
