/**
 * SqliteStorage's search (bounded, literal), its group-committed enqueues, and the plans of
 * its dashboard lists.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { StorageError } from "../../src/errors.ts";
import { createJob } from "../../src/job.ts";
import {
  type ListParams,
  SEARCH_SCAN_LIMIT,
  type StorageSignal,
} from "../../src/storage/storage.ts";
import { buildListQuery } from "../../src/storage/sqlite/list.ts";
import { QUERIES } from "../../src/storage/sqlite/queries.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { inTempDir, T0 } from "../_helpers/sqlite_files.ts";

Deno.test("[sqlite] a search scans at most the newest SEARCH_SCAN_LIMIT jobs", async () => {
  await inTempDir(async (dir) => {
    const s = await SqliteStorage.open({ path: `${dir}/jobs.db`, durability: "normal" });
    try {
      const needle = createJob({ method: "m", args: { word: "needle" }, now: T0 });
      await s.enqueue({ jobs: [needle], now: T0 });
      // The hay, newer than the needle (ids sort after its id), copied from it in SQL: fast.
      const db = new DatabaseSync(`${dir}/jobs.db`);
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
         INSERT INTO jobs SELECT id || printf('%06d', i), method, '{"word":"hay"}', queue,
           priority, state, attempts, max_attempts, backoff, timeout_ms, run_at, created_at,
           started_at, finished_at, expires_at, locked_by, locked_until, result, error,
           unique_key, progress, history, trace_context
         FROM jobs, n WHERE jobs.id = ?`,
      ).run(SEARCH_SCAN_LIMIT, needle.id);
      db.close();
      assert.equal(
        (await s.list({ limit: 1, cursor: `${needle.id}000000` })).jobs[0].id,
        needle.id,
      );
      // The needle is the 100,001st newest job: beyond the bound.
      assert.deepEqual((await s.list({ limit: 10, search: "needle" })).jobs, []);
      // Paging past the newest jobs moves the window with the cursor.
      const cursor = `${needle.id}000010`;
      const older = await s.list({ limit: 10, search: "needle", cursor });
      assert.deepEqual(older.jobs.map((j) => j.id), [needle.id]);
    } finally {
      await s.close();
    }
  });
});

Deno.test("[sqlite] search text is literal: % and _ are no wildcards", async () => {
  await inTempDir(async (dir) => {
    const s = await SqliteStorage.open({ path: `${dir}/jobs.db` });
    try {
      const under = createJob({ method: "m", args: { code: "a_b", pct: "50%" }, now: T0 });
      const other = createJob({ method: "m", args: { code: "axb", pct: "50x" }, now: T0 });
      await s.enqueue({ jobs: [under, other], now: T0 });
      const ids = async (search: string) =>
        (await s.list({ limit: 10, search })).jobs.map((j) => j.id);
      assert.deepEqual(await ids("a_b"), [under.id]);
      assert.deepEqual(await ids("50%"), [under.id]);
      assert.deepEqual(await ids("code:a_b"), [under.id]);
      assert.deepEqual(await ids("code:AXB"), [other.id]);
    } finally {
      await s.close();
    }
  });
});

Deno.test("[sqlite] enqueues of one turn share a transaction; a failing one fails alone", async () => {
  await inTempDir(async (dir) => {
    const s = await SqliteStorage.open({ path: `${dir}/jobs.db` });
    const got: StorageSignal[] = [];
    const off = s.subscribe((sig) => got.push(sig));
    try {
      const taken = createJob({ method: "m", args: 0, now: T0 });
      await s.enqueue({ jobs: [taken], now: T0 });
      const a = createJob({ method: "m", args: 1, now: T0, queue: "qa" });
      const c = createJob({ method: "m", args: 3, now: T0, queue: "qc" });
      const results = await Promise.allSettled([
        s.enqueue({ jobs: [a], now: T0 }),
        s.enqueue({ jobs: [{ ...taken, queue: "qb" }], now: T0 }), // the same id again
        s.enqueue({ jobs: [c], now: T0 }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
      assert.ok((results[1] as PromiseRejectedResult).reason instanceof StorageError);
      assert.ok(await s.get({ id: a.id }));
      assert.ok(await s.get({ id: c.id }));
      assert.equal((await s.get({ id: taken.id }))?.queue, "default");
      assert.equal((await s.counts()).byState.Enqueued, 3);
      await waitUntil(() => got.filter((g) => g.kind === "ready").length >= 3, {
        what: "ready signals",
      });
      const queues = got.flatMap((g) => g.kind === "ready" ? [g.queue] : []).sort();
      assert.deepEqual(queues, ["default", "qa", "qc"], "no signal for the failed call");
    } finally {
      off();
      await s.close();
    }
  });
});

Deno.test("[sqlite] a list by state, or by queue and state, reads a dashboard index in id order", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/jobs.db`;
    const s = await SqliteStorage.open({ path, durability: "normal" });
    const db = new DatabaseSync(path);
    try {
      const plan = (params: Omit<ListParams, "limit">) => {
        const q = buildListQuery(QUERIES.listJobs, { ...params, limit: 50 }, 50);
        return db.prepare(`EXPLAIN QUERY PLAN ${q.text}`).all(...q.params)
          .map((r) => String(r.detail)).join("; ");
      };
      for (const state of ["Enqueued", "Scheduled", "Succeeded", "Failed", "Deleted"] as const) {
        const byState = plan({ state });
        assert.match(byState, /USING (COVERING )?INDEX jobs_state_id_idx /, byState);
        assert.doesNotMatch(byState, /TEMP B-TREE/, byState); // no sort: the index's order
        const byQueue = plan({ state, queue: "mail", cursor: "0190" });
        assert.match(byQueue, /USING (COVERING )?INDEX jobs_queue_state_id_idx /, byQueue);
        assert.doesNotMatch(byQueue, /TEMP B-TREE/, byQueue);
      }
    } finally {
      db.close();
      await s.close();
    }
  });
});
