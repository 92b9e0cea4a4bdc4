--[[
  enqueue: store a batch of new jobs, honouring unique keys (also within the batch).

  KEYS[1]  key base `{prefix}:`
  ARGV[1]  JSON array of jobs (codec.ts encodeJob), each an array of:
           id; the values of JOB_FIELDS in order, '' for null; the history
           entries, each a JSON string
  Returns  one string per job, in order: '' when stored, else the id of the live
           job that holds its unique key.
  Publishes `r<queue>` once per queue that received an Enqueued job.
]]
local base = KEYS[1]
local out, ready, indexes = {}, {}, batch_indexes()
for i, job in ipairs(cjson.decode(ARGV[1])) do out[i] = store_job(base, job, ready, indexes) end
indexes.flush()
publish_ready(base, ready)
return out
