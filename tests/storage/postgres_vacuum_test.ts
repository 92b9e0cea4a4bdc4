/**
 * The jobs table is vacuumed as jobs are fetched (`src/storage/postgres/vacuum.ts`): the
 * dead entries every fetch leaves at the front of the fetch index go before they slow the
 * next fetches; the pass runs without the statement timeout and leaves the pool's timeout as
 * it was.
 */
import assert from "node:assert/strict";
import { FetchVacuum } from "../../src/storage/postgres/vacuum.ts";
import { JobClient } from "../../src/client.ts";
import { openTestStorage, waitUntil, withAdmin } from "../_helpers/postgres.ts";

Deno.test("FetchVacuum: one pass after every N fetched rows, one at a time, failures let go", async () => {
  let passes = 0;
  let finish: () => void = () => {};
  const v = new FetchVacuum(() => {
    passes++;
    return new Promise<void>((r) => finish = r);
  }, 100);
  v.fetched(60);
  assert.equal(passes, 0);
  v.fetched(40);
  assert.equal(passes, 1);
  v.fetched(500); // a pass is still running: none starts, and the count starts afresh after
  assert.equal(passes, 1);
  finish();
  await v.running;
  v.fetched(100);
  assert.equal(passes, 2);
  finish();
  await v.running;
  v.close(); // no pass after close
  v.fetched(1_000);
  assert.equal(passes, 2);
  const failing = new FetchVacuum(() => Promise.reject(new Error("not the owner")), 10);
  failing.fetched(10);
  await failing.running;
  const off = new FetchVacuum(() => {
    throw new Error("never called");
  }, 0);
  off.fetched(1_000_000);
});

Deno.test("postgres: fetching vacuumEveryFetched jobs vacuums the jobs table; the pool keeps its statement timeout", async () => {
  const h = await openTestStorage({ vacuumEveryFetched: 100, commandTimeoutMs: 12_345 });
  try {
    await new JobClient(h.storage).enqueueMany(
      Array.from({ length: 150 }, (_, i) => ({ worker: "noop", args: { i } })),
    );
    const lastVacuum = () =>
      withAdmin(async (sql) =>
        (await sql.unsafe(
          `SELECT last_vacuum FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'jobs'`,
          [h.schema],
        ))[0]?.last_vacuum ?? null
      );
    const fetch = (limit: number) =>
      h.storage.fetchAndLock({
        queues: ["default"],
        limit,
        serverName: "s1",
        lockTtlMs: 30_000,
        now: new Date(),
      });
    assert.equal((await fetch(99)).length, 99);
    await h.storage.close();
    assert.equal(await lastVacuum(), null, "no pass before vacuumEveryFetched rows");
  } finally {
    await h.cleanup();
  }
  const h2 = await openTestStorage({ vacuumEveryFetched: 100, commandTimeoutMs: 12_345 });
  try {
    await new JobClient(h2.storage).enqueueMany(
      Array.from({ length: 150 }, (_, i) => ({ worker: "noop", args: { i } })),
    );
    const got = await h2.storage.fetchAndLock({
      queues: ["default"],
      limit: 100,
      serverName: "s1",
      lockTtlMs: 30_000,
      now: new Date(),
    });
    assert.equal(got.length, 100);
    await waitUntil(async () =>
      await withAdmin(async (sql) =>
        (await sql.unsafe(
          `SELECT last_vacuum FROM pg_stat_user_tables WHERE schemaname = $1 AND relname = 'jobs'`,
          [h2.schema],
        ))[0]?.last_vacuum != null
      ), { what: "a VACUUM of the jobs table" });
    // Every pooled connection still has the configured timeout (the pass reset its own).
    const sql = h2.storage.sql;
    const rows = await Promise.all(
      Array.from({ length: 8 }, () => sql.unsafe("SHOW statement_timeout")),
    );
    for (const r of rows) assert.equal(r[0].statement_timeout, "12345ms");
  } finally {
    await h2.cleanup();
  }
});
