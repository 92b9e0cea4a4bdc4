/**
 * Postgres counts come from trigger-fed counters (migration 0003): exact under concurrent
 * writers, correct for jobs stored before the migration, and never a scan of `jobs`.
 */
import assert from "node:assert/strict";
import { createJob } from "../../src/job.ts";
import { migrate, MIGRATIONS } from "../../src/storage/postgres/migrate.ts";
import { buildQueries } from "../../src/storage/postgres/queries.ts";
import { decide } from "../../src/transitions.ts";
import { dropSchema, openTestStorage, testSchema, withAdmin } from "../_helpers/postgres.ts";
import type { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";

async function truth(s: PostgresStorage): Promise<Record<string, number>> {
  const rows = await s.sql.unsafe(
    `select queue, state::text as state, count(*)::int as n from "${s.schema}".jobs group by 1, 2`,
  );
  return Object.fromEntries(rows.map((r) => [`${r.queue}/${r.state}`, r.n as number]));
}

async function counted(s: PostgresStorage): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [queue, byState] of Object.entries((await s.counts()).byQueue)) {
    for (const [state, n] of Object.entries(byState)) if (n) out[`${queue}/${state}`] = n;
  }
  return out;
}

Deno.test("postgres counts: exact under concurrent writers, before and after a fold", async () => {
  const h = await openTestStorage({ maxConnections: 8 });
  const s = h.storage;
  try {
    const now = new Date("2026-01-01T00:00:00Z");
    const expiring = { succeededMs: 1, failedMs: 1, deletedMs: 1 };
    await Promise.all(Array.from({ length: 6 }, async (_, w) => {
      for (let round = 0; round < 8; round++) {
        const queue = `q${(w + round) % 3}`;
        const jobs = Array.from(
          { length: 20 },
          () => createJob({ method: "m", args: {}, queue, now }),
        );
        await s.enqueue({ jobs, now });
        const got = await s.fetchAndLock({
          queues: [queue],
          limit: 15,
          serverName: `s${w}`,
          lockTtlMs: 30_000,
          now,
        });
        const items = got.map((j, i) => ({
          id: j.id,
          guard: { state: j.state, lockedBy: `s${w}` },
          next: decide(
            j,
            i % 3 === 0
              ? { type: "failed", error: { name: "E", message: "x" }, retryable: false }
              : { type: "succeeded", result: null },
            { now, ttls: expiring },
          ),
        }));
        await s.transition({ items, now });
        if (round % 3 === 2) await s.purgeExpired({ now: new Date(now.getTime() + 10), limit: 7 });
      }
    }));
    assert.deepEqual(await counted(s), await truth(s));
    await s.sql.unsafe(`select "${s.schema}".fold_job_counts()`);
    const [{ n }] = await s.sql.unsafe(
      `select count(*)::int as n from "${s.schema}".job_count_deltas`,
    );
    assert.equal(n, 0, "a fold empties the deltas");
    assert.deepEqual(await counted(s), await truth(s));
  } finally {
    await h.cleanup();
  }
});

Deno.test("postgres counts: jobs stored before migration 0003 are counted", async () => {
  const schema = testSchema();
  try {
    await withAdmin(async (sql) => {
      await migrate(sql, schema, `"${schema}"`, MIGRATIONS.filter((m) => m.version < 3));
      await sql.unsafe(`
        insert into "${schema}".jobs (id, method, queue, state, max_attempts, run_at, created_at)
        select 'old-' || g, 'm', 'legacy', 'Succeeded', 1, now(), now()
        from generate_series(1, 25) g`);
    });
    const h = await openTestStorage({ schema });
    try {
      assert.equal((await h.storage.counts()).byQueue.legacy?.Succeeded, 25);
    } finally {
      await h.storage.close();
    }
  } finally {
    await dropSchema(schema);
  }
});

Deno.test("postgres counts: the plan never reads the jobs table", async () => {
  const h = await openTestStorage();
  try {
    const q = buildQueries(`"${h.schema}"`).counts;
    const plan = (await h.storage.sql.unsafe(`explain ${q}`)).map((r) => r["QUERY PLAN"]).join(
      "\n",
    );
    assert.match(plan, /job_counts/);
    assert.doesNotMatch(plan, / on jobs\b|\.jobs\b/);
  } finally {
    await h.cleanup();
  }
});
