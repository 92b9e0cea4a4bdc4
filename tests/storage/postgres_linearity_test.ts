/**
 * Every batch statement of PostgresStorage is linear in its batch, proven without timing:
 *
 * - the plans hold no array cast (a cast of a whole array parameter is what an inlined
 *   dictionary CTE re-evaluated for every row: O(rows × distinct values));
 * - batches of 5,000 items with 5,000 distinct timestamps complete under a 2 s
 *   `statement_timeout`. The quadratic statements needed 40 s (enqueue) to 2 min
 *   (transition) for that; the linear ones about 0.1 s of database time each. (1 s holds
 *   on a quiet machine; 2 s leaves room for a CI box running many suites at once.)
 */
import assert from "node:assert/strict";
import { createJob, type Job } from "../../src/job.ts";
import { decide, type TransitionItem } from "../../src/transitions.ts";
import {
  expiredColumns,
  jobColumns,
  transitionColumns,
} from "../../src/storage/postgres/columns.ts";
import { buildQueries, type QueryName } from "../../src/storage/postgres/queries.ts";
import { openTestStorage } from "../_helpers/postgres.ts";

const N = 5_000;
const T0 = new Date("2026-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

/** `n` jobs, each with its own created and run time and priority. */
function distinctJobs(n: number, uniqueKeys = false): Job[] {
  return Array.from({ length: n }, (_, i) =>
    createJob({
      method: "m",
      args: { i },
      now: at(i),
      runAt: at(i),
      priority: i,
      uniqueKey: uniqueKeys ? `k${i}` : undefined,
    }));
}

/** Succeeded transitions for `jobs` (Processing), each finishing at its own time. */
function finishItems(jobs: readonly Job[], server: string): TransitionItem[] {
  return jobs.map((job, i) => ({
    id: job.id,
    guard: { state: job.state, lockedBy: server },
    next: decide(job, { type: "succeeded", result: { i } }, { now: at(10 * N + i), server }),
  }));
}

/** A parenthesised expression cast to an array type: the quadratic pattern. */
const ARRAY_CAST = /\)::[\w ."]+\[\]/;

Deno.test("linearity: no batch statement's plan casts a whole array", async () => {
  const h = await openTestStorage();
  try {
    const q = buildQueries(`"${h.schema}"`);
    const jobs = distinctJobs(50);
    const keyed = distinctJobs(50, true);
    const processing = jobs.map((j) => ({ ...j, state: "Processing" as const, lockedBy: "s" }));
    const t = transitionColumns(finishItems(processing, "s"));
    const now = at(0);
    const statements: [QueryName, unknown[]][] = [
      ["enqueuePlain", [...jobColumns(jobs), ["default"], "ch"]],
      ["enqueue", [...jobColumns(keyed), keyed.map((_, i) => i + 1), "ch"]],
      ["claimCronTick", [...jobColumns(jobs.slice(0, 1)), "tpl", now, "ch"]],
      ["transition", [...t.columns, t.entries, now, "ch"]],
      ["transitionExpired", [...expiredColumns(finishItems(processing, "s")), now, "ch"]],
      ["fetchAndLock", [["default", "other"], 50, now, "s", at(1000), { state: "Processing" }]],
      ["extendLocks", [jobs.map((j) => j.id), "s", at(1000)]],
      ["promoteDue", [now, 50, { state: "Enqueued" }, "ch"]],
      ["purgeExpired", [now, 50]],
      ["findExpiredLocks", [now, 50]],
    ];
    // The detector sees the pattern it looks for: the dictionary CTE of the quadratic version.
    const quadratic = await h.storage.sql.unsafe(
      `EXPLAIN (VERBOSE) WITH d AS (SELECT $1::text[]::timestamptz[] AS ts)
       SELECT d.ts[g] FROM d, generate_series(1, 3) AS g`,
      [[T0.toISOString()]],
    );
    assert.match(quadratic.map((r) => r["QUERY PLAN"]).join("\n"), ARRAY_CAST);
    for (const [name, params] of statements) {
      const plan = await h.storage.sql.begin(async (tx) => {
        // deno-lint-ignore no-explicit-any
        const rows = await tx.unsafe(`EXPLAIN (VERBOSE) ${q[name]}`, params as any[]);
        return rows.map((r) => r["QUERY PLAN"] as string).join("\n");
      });
      assert.doesNotMatch(plan, ARRAY_CAST, `${name} casts an array:\n${plan}`);
    }
  } finally {
    await h.cleanup();
  }
});

Deno.test("linearity: 5,000 distinct timestamps per batch run under a 2 s statement timeout", async () => {
  const h = await openTestStorage({ commandTimeoutMs: 2_000 });
  try {
    const s = h.storage;
    // Plain path, then the unique-key path (enqueue.sql).
    const jobs = distinctJobs(N);
    await s.enqueue({ jobs, now: at(N) });
    const keyed = distinctJobs(N, true);
    const res = await s.enqueue({ jobs: keyed, now: at(N) });
    assert.equal(res.filter((r) => r.created).length, N);

    const fetched = await s.fetchAndLock({
      queues: ["default"],
      limit: N,
      serverName: "s",
      lockTtlMs: 60_000,
      now: at(2 * N),
    });
    assert.equal(fetched.length, N);
    const applied = await s.transition({ items: finishItems(fetched, "s"), now: at(3 * N) });
    assert.equal(applied.filter(Boolean).length, N);

    const counts = (await s.counts()).byState;
    assert.equal(counts.Succeeded, N);
    assert.equal(counts.Enqueued, N);
    const one = await s.get({ id: fetched[N - 1].id });
    assert.equal(one?.finishedAt?.getTime(), at(10 * N + N - 1).getTime());
  } finally {
    await h.cleanup();
  }
});
