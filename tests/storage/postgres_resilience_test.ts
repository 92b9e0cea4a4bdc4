/** Driver failures surface as StorageError with the cause; lost connections are replaced. */
import assert from "node:assert/strict";
import { StorageError } from "../../src/errors.ts";
import { createJob } from "../../src/job.ts";
import { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import { decide } from "../../src/transitions.ts";
import { openTestStorage, withAdmin } from "../_helpers/postgres.ts";

const now = new Date("2026-01-01T00:00:00.000Z");

function terminate(appName: string) {
  return withAdmin((sql) =>
    sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${appName}`
  );
}

Deno.test("resilience: an unreachable database is a StorageError with the driver's cause", async () => {
  const err = await PostgresStorage.connect({
    url: "postgres://postgres@127.0.0.1:1/none",
    connectTimeoutMs: 2_000,
  }).then(() => null, (e: unknown) => e);
  assert.ok(err instanceof StorageError, `got ${err}`);
  assert.ok(err.cause, "carries the driver error");
  assert.equal(err.code, "STORAGE");
});

Deno.test("resilience: calls recover after the pool's connections are terminated", async () => {
  const appName = `qml-res-${crypto.randomUUID().slice(0, 8)}`;
  const h = await openTestStorage({
    applicationName: appName,
    minConnections: 3,
    maxConnections: 3,
  });
  try {
    const s = h.storage;
    const job = createJob({ method: "m", args: 1, now });
    await s.enqueue({ jobs: [job], now });
    const killed = await terminate(appName);
    assert.ok(killed.length >= 3, `terminated ${killed.length} connections`);
    // In-flight or not, a call either succeeds on a fresh connection or fails cleanly as a
    // StorageError; within a few calls the pool is healthy again.
    let recovered = false;
    for (let i = 0; i < 10 && !recovered; i++) {
      try {
        recovered = (await s.get({ id: job.id }))?.id === job.id;
      } catch (err) {
        assert.ok(err instanceof StorageError, `got ${err}`);
        assert.ok(err.cause);
      }
    }
    assert.ok(recovered, "the pool reconnected");
    const [fetched] = await s.fetchAndLock({
      queues: ["default"],
      limit: 1,
      serverName: "s1",
      lockTtlMs: 30_000,
      now,
    });
    assert.equal(fetched.id, job.id);
  } finally {
    await h.cleanup();
  }
});

Deno.test("resilience: a statement killed mid-flight fails as StorageError and changes nothing", async () => {
  const appName = `qml-mid-${crypto.randomUUID().slice(0, 8)}`;
  const h = await openTestStorage({ applicationName: appName, maxConnections: 2 });
  try {
    const s = h.storage;
    const job = createJob({ method: "m", args: 1, now });
    await s.enqueue({ jobs: [job], now });
    const [fetched] = await s.fetchAndLock({
      queues: ["default"],
      limit: 1,
      serverName: "s1",
      lockTtlMs: 30_000,
      now,
    });
    const next = decide(fetched, { type: "succeeded", result: 1 }, { now });
    const item = { id: job.id, guard: { state: fetched.state, lockedBy: "s1" }, next };
    // Hold the row so the transition blocks, then kill the connection running it.
    await withAdmin(async (sql) => {
      await sql.begin(async (tx) => {
        await tx.unsafe(`select 1 from "${h.schema}".jobs where id = $1 for update`, [job.id]);
        const pending = s.transition({ items: [item], now }).then(() => null, (e) => e);
        let pid: number | undefined;
        const deadline = Date.now() + 10_000;
        while (pid === undefined) {
          if (Date.now() > deadline) throw new Error("the transition never waited on the lock");
          const rows = await tx`select pid from pg_stat_activity
            where application_name = ${appName} and wait_event_type = 'Lock'`;
          pid = rows[0]?.pid;
        }
        await tx`select pg_terminate_backend(${pid})`;
        const err = await pending;
        assert.ok(err instanceof StorageError, `got ${err}`);
        assert.ok(err.cause);
      });
    });
    // The transition never committed: applying it again (after recovery) works exactly once.
    assert.equal((await s.get({ id: job.id }))?.state, "Processing");
    assert.deepEqual(await s.transition({ items: [item], now }), [true]);
    assert.deepEqual(await s.transition({ items: [item], now }), [false]);
  } finally {
    await h.cleanup();
  }
});

Deno.test("resilience: commandTimeoutMs bounds a blocked statement", async () => {
  const h = await openTestStorage({ commandTimeoutMs: 200 });
  try {
    const s = h.storage;
    const job = createJob({ method: "m", args: 1, now });
    await s.enqueue({ jobs: [job], now });
    await s.fetchAndLock({
      queues: ["default"],
      limit: 1,
      serverName: "s1",
      lockTtlMs: 30_000,
      now,
    });
    await withAdmin(async (sql) => {
      await sql.begin(async (tx) => {
        await tx.unsafe(`select 1 from "${h.schema}".jobs where id = $1 for update`, [job.id]);
        const err = await s.setProgress({ id: job.id, serverName: "s1", progress: 5 }).then(
          () => null,
          (e: unknown) => e,
        );
        assert.ok(err instanceof StorageError, `got ${err}`);
        assert.match(String((err.cause as Error).message), /statement timeout/);
      });
    });
  } finally {
    await h.cleanup();
  }
});
