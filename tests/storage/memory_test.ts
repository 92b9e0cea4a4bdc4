import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { runStorageConformance } from "./conformance/mod.ts";
import assert from "node:assert/strict";
import { createJob } from "../../src/job.ts";
import { SEARCH_SCAN_LIMIT } from "../../src/storage/storage.ts";

runStorageConformance("memory", () => {
  const storage = new MemoryStorage();
  return Promise.resolve({ storage, cleanup: () => storage.close() });
});

Deno.test("[memory] a search scans at most the newest SEARCH_SCAN_LIMIT jobs", async () => {
  const storage = new MemoryStorage();
  const now = new Date("2026-01-01T00:00:00Z");
  const needle = createJob({ method: "m", args: { word: "needle" }, now });
  await storage.enqueue({ jobs: [needle], now });
  const hay = Array.from(
    { length: SEARCH_SCAN_LIMIT },
    () => createJob({ method: "m", args: { word: "hay" }, now }),
  );
  await storage.enqueue({ jobs: hay, now });
  // The needle is the 100,001st newest job: beyond the bound.
  assert.deepEqual((await storage.list({ limit: 10, search: "needle" })).jobs, []);
  // Paging past the newest jobs moves the window with the cursor.
  const older = await storage.list({ limit: 10, search: "needle", cursor: hay[10].id });
  assert.deepEqual(older.jobs.map((j) => j.id), [needle.id]);
  await storage.close();
});
