/**
 * The Postgres search index (migration 0005), proven without timing: the search statement
 * is one the trigram index can serve (its expression is the index's), and a schema
 * without the index (pg_trgm unavailable) answers every search the same.
 */
import assert from "node:assert/strict";
import { createJob, type Job } from "../../src/job.ts";
import { buildListQuery, SEARCH_TEXT_SQL } from "../../src/storage/postgres/list.ts";
import { buildQueries } from "../../src/storage/postgres/queries.ts";
import { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import { openTestStorage, TEST_DATABASE_URL } from "../_helpers/postgres.ts";

const T0 = new Date("2026-01-01T00:00:00.000Z");

function jobs(n: number): Job[] {
  return Array.from({ length: n }, (_, i) =>
    createJob({
      method: ["send_email", "charge_card"][i % 2],
      args: { i, user: `user-${i}`, plan: i % 7 === 0 ? "gold" : "free" },
      now: new Date(T0.getTime() + i),
    }));
}

const SEARCHES = [
  "user:user-1234",
  "user-12",
  "gold",
  "CHARGE",
  "zzz-no-such-text",
  "em",
  "plan:gold",
  "i:7",
  '"user":"user-3"',
];

Deno.test("postgres search: the statement is served by the trigram index", async () => {
  const h = await openTestStorage();
  try {
    await h.storage.enqueue({ jobs: jobs(2_000), now: T0 });
    const idx = await h.storage.sql.unsafe("SELECT to_regclass($1) AS r", [
      `"${h.schema}".jobs_search_trgm_idx`,
    ]);
    assert.notEqual(idx[0].r, null, "migration 0005 built the index");
    // Without sequential scans the planner must use an index whose expression is the
    // search text's; a mismatch shows as a (penalised) sequential scan.
    const plan = await h.storage.sql.begin(async (tx) => {
      await tx.unsafe("SET LOCAL enable_seqscan = off");
      const rows = await tx.unsafe(
        `EXPLAIN SELECT id FROM "${h.schema}".jobs WHERE ${SEARCH_TEXT_SQL} LIKE $1`,
        ["%zzz-no-such-text%"],
      );
      return rows.map((r) => r["QUERY PLAN"] as string).join("\n");
    });
    assert.match(plan, /Bitmap Index Scan on jobs_search_trgm_idx/, plan);
    // …and the search statement filters on exactly that text.
    const q = buildQueries(`"${h.schema}"`);
    const templates = { list: q.listJobs, search: q.searchJobs, indexed: q.searchJobsIndexed };
    for (const search of ["zzz-no-such-text", "user:user-1234"]) {
      const built = buildListQuery(templates, { search, limit: 50 }, 50, `"${h.schema}"`)!;
      assert.ok(built.text.includes(`${SEARCH_TEXT_SQL} LIKE $`), built.text);
      assert.ok(built.text.includes("OFFSET $2::int - 1"), "the bound is kept");
    }
    for (const search of ["ab", "i:7", 'title:say "hi"']) {
      const built = buildListQuery(templates, { search, limit: 50 }, 50, `"${h.schema}"`)!;
      assert.ok(!built.text.includes(SEARCH_TEXT_SQL), `${search}: too short for trigrams`);
    }
  } finally {
    await h.cleanup();
  }
});

Deno.test("postgres search: without the index every search answers the same", async () => {
  const h = await openTestStorage();
  let plain: PostgresStorage | null = null;
  try {
    await h.storage.enqueue({ jobs: jobs(1_500), now: T0 });
    const indexed: string[][] = [];
    for (const search of SEARCHES) {
      indexed.push((await h.storage.list({ search, limit: 60 })).jobs.map((j) => j.id));
    }
    assert.ok(indexed.every((ids, i) => SEARCHES[i] === "zzz-no-such-text" || ids.length > 0));
    await h.storage.sql.unsafe(`DROP INDEX "${h.schema}".jobs_search_trgm_idx`);
    const fallback = await PostgresStorage.connect({ url: TEST_DATABASE_URL, schema: h.schema });
    plain = fallback;
    for (const [i, search] of SEARCHES.entries()) {
      const ids: string[] = (await fallback.list({ search, limit: 60 })).jobs.map((j) => j.id);
      assert.deepEqual(ids, indexed[i], search);
    }
  } finally {
    await plain?.close();
    await h.cleanup();
  }
});

Deno.test("postgres search: the indexed statement keeps the scan bound", async () => {
  const h = await openTestStorage();
  try {
    const all = jobs(300);
    await h.storage.enqueue({ jobs: all, now: T0 });
    const q = buildQueries(`"${h.schema}"`);
    const schema = `"${h.schema}"`;
    const run = async (indexed: boolean, search: string, bound: number, cursor?: string) => {
      const built = buildListQuery(
        {
          list: q.listJobs,
          search: q.searchJobs,
          indexed: indexed ? q.searchJobsIndexed : undefined,
        },
        { search, limit: 20, cursor },
        20,
        schema,
      )!;
      assert.equal(built.text.includes(SEARCH_TEXT_SQL), indexed);
      const params = [...built.params];
      params[1] = bound; // SEARCH_SCAN_LIMIT, made small
      // deno-lint-ignore no-explicit-any
      const rows = await h.storage.sql.unsafe(built.text, params as any[]);
      return rows.map((r) => r.id as string);
    };
    // "gold": every 7th job. Newest ids first; the bound counts every job, matching or not.
    const newest = all.map((j) => j.id).reverse();
    for (const bound of [1, 7, 50, 1000]) {
      for (const cursor of [undefined, newest[10]]) {
        const want = await run(false, "gold", bound, cursor);
        assert.deepEqual(await run(true, "gold", bound, cursor), want, `bound ${bound}`);
        assert.deepEqual(await run(true, "plan:gold", bound, cursor), want, `bound ${bound}`);
      }
    }
    assert.deepEqual(
      await run(true, "gold", 50),
      all.filter((_, i) => i % 7 === 0).map((j) => j.id).reverse().filter((id) =>
        newest.indexOf(id) < 50
      ).slice(0, 21),
    );
  } finally {
    await h.cleanup();
  }
});

Deno.test("postgres search: a key:value search runs under a parallel plan", async () => {
  const h = await openTestStorage();
  try {
    await h.storage.enqueue({ jobs: jobs(200), now: T0 });
    const q = buildQueries(`"${h.schema}"`);
    const templates = { list: q.listJobs, search: q.searchJobs, indexed: q.searchJobsIndexed };
    for (const t of [templates, { ...templates, indexed: undefined }]) {
      const built = buildListQuery(t, { search: "user:user-42", limit: 20 }, 20, `"${h.schema}"`)!;
      const ids = await h.storage.sql.begin(async (tx) => {
        // Runs every parallel-safe plan in a worker: a function that opens a
        // subtransaction (args_field's exception block) must not be marked safe.
        await tx.unsafe("SET LOCAL force_parallel_mode = on");
        // deno-lint-ignore no-explicit-any
        return (await tx.unsafe(built.text, built.params as any[])).map((r) => r.id as string);
      });
      assert.equal(ids.length, 1);
    }
  } finally {
    await h.cleanup();
  }
});
