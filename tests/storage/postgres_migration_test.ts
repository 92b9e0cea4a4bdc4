/** PostgresStorage migrations: fresh database, re-runs, concurrent servers, failures. */
import assert from "node:assert/strict";
import { ConfigError, MigrationError } from "../../src/errors.ts";
import { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import { migrate, MIGRATIONS } from "../../src/storage/postgres/migrate.ts";
import { dropSchema, TEST_DATABASE_URL, testSchema, withAdmin } from "../_helpers/postgres.ts";

const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

function connect(schema: string, autoMigrate: boolean) {
  return PostgresStorage.connect({
    url: TEST_DATABASE_URL,
    schema,
    autoMigrate,
    maxConnections: 2,
  });
}

async function tablesOf(schema: string): Promise<string[]> {
  return await withAdmin(async (sql) =>
    (await sql`select table_name from information_schema.tables where table_schema = ${schema}
               order by table_name`).map((r) => r.table_name as string)
  );
}

/** `name:type` of the given columns of `jobs`, by name. */
async function columnTypes(s: PostgresStorage, schema: string, names: string[]): Promise<string[]> {
  const rows = await s.sql.unsafe(
    `select column_name, data_type from information_schema.columns
     where table_schema = $1 and table_name = 'jobs' and column_name = any($2)
     order by column_name`,
    [schema, names],
  );
  return rows.map((r) => `${r.column_name}:${r.data_type}`);
}

Deno.test("migrate: an empty database gets the whole schema", async () => {
  const schema = testSchema();
  const s = await connect(schema, false);
  try {
    assert.equal(await s.schemaExists(), false);
    assert.deepEqual(await s.pendingMigrations(), MIGRATIONS.map((m) => m.name));
    const res = await s.migrate();
    assert.deepEqual(res.applied, MIGRATIONS.map((m) => m.name));
    assert.equal(res.version, LATEST);
    assert.equal(await s.schemaExists(), true);
    const tables = await tablesOf(schema);
    for (
      const t of [
        "jobs",
        "leases",
        "qml_migrations",
        "recurring",
        "servers",
        "metrics_minutes",
        "metrics_hours",
        "job_counts",
        "job_count_deltas",
      ]
    ) assert.ok(tables.includes(t), `table ${t}`);
    assert.deepEqual(await s.pendingMigrations(), []);
    const health = await s.healthCheck();
    assert.equal(health.ok, true);
    assert.equal(health.schemaVersion, LATEST);
  } finally {
    await s.close();
    await dropSchema(schema);
  }
});

Deno.test("migrate: an already migrated schema is left alone", async () => {
  const schema = testSchema();
  const s = await connect(schema, true);
  try {
    assert.equal(await s.schemaExists(), true);
    assert.equal(await s.migrateIfNeeded(), false);
    assert.deepEqual((await s.migrate()).applied, []);
    const rows = await s.sql.unsafe(`select version, name from "${schema}".qml_migrations`);
    assert.deepEqual(
      [...rows].sort((a, b) => a.version - b.version),
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
  } finally {
    await s.close();
    await dropSchema(schema);
  }
});

Deno.test("migrate: migrateIfNeeded reports whether it applied anything", async () => {
  const schema = testSchema();
  const s = await connect(schema, false);
  try {
    assert.equal(await s.migrateIfNeeded(), true);
    assert.equal(await s.migrateIfNeeded(), false);
  } finally {
    await s.close();
    await dropSchema(schema);
  }
});

Deno.test("migrate: ten servers migrating at once apply each migration once", async () => {
  const schema = testSchema();
  const servers = await Promise.all(Array.from({ length: 10 }, () => connect(schema, false)));
  try {
    const results = await Promise.all(servers.map((s) => s.migrate()));
    const applied = results.flatMap((r) => r.applied);
    assert.deepEqual(applied, MIGRATIONS.map((m) => m.name));
    assert.ok(results.every((r) => r.version === LATEST));
  } finally {
    await Promise.all(servers.map((s) => s.close()));
    await dropSchema(schema);
  }
});

Deno.test("migrate: two storages auto-migrating at connect do not race", async () => {
  const schema = testSchema();
  const [a, b] = await Promise.all([connect(schema, true), connect(schema, true)]);
  try {
    assert.equal(await a.schemaExists(), true);
    assert.deepEqual(await b.pendingMigrations(), []);
  } finally {
    await Promise.all([a.close(), b.close()]);
    await dropSchema(schema);
  }
});

Deno.test("migrate: a failing migration is a MigrationError naming it, and nothing is kept", async () => {
  const schema = testSchema();
  await withAdmin(async (sql) => {
    const bad = [
      ...MIGRATIONS,
      { version: 999, name: "0999_broken", sql: "CREATE TABLE {{schema}}.x (id int); SELEC 1;" },
    ];
    const err = await migrate(sql, schema, `"${schema}"`, bad).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof MigrationError, `got ${err}`);
    assert.equal(err.migration, "0999_broken");
    assert.match(err.message, /0999_broken/);
    assert.equal(err.code, "MIGRATION");
  });
  try {
    // One transaction: the good migration before it was rolled back too.
    assert.deepEqual(await tablesOf(schema), []);
  } finally {
    await dropSchema(schema);
  }
});

Deno.test("migrate: a bad schema identifier is rejected before connecting", async () => {
  for (const schema of ["Qml", "qml-jobs", 'qml"; drop table x; --', "1abc", "", "a".repeat(64)]) {
    await assert.rejects(
      () => PostgresStorage.connect({ url: TEST_DATABASE_URL, schema }),
      (err: unknown) => err instanceof ConfigError && err.option === "schema",
      `schema ${JSON.stringify(schema)} should be rejected`,
    );
  }
});

Deno.test("migrate: 0002 keeps the args and results stored by a version-1 schema", async () => {
  const schema = testSchema();
  try {
    await withAdmin(async (sql) => {
      await migrate(sql, schema, `"${schema}"`, MIGRATIONS.slice(0, 1));
      await sql.unsafe(
        `insert into "${schema}".jobs (id, method, args, queue, state, max_attempts, run_at,
           created_at, result)
         values ('a', 'm', '{"k": [1, "x"]}', 'default', 'Succeeded', 1, now(), now(), '"done"')`,
      );
    });
    const s = await connect(schema, true);
    try {
      const job = await s.get({ id: "a" });
      assert.deepEqual(job?.args, { k: [1, "x"] });
      assert.equal(job?.result, "done");
      assert.deepEqual(await columnTypes(s, schema, ["args", "result"]), [
        "args:json",
        "result:json",
      ]);
    } finally {
      await s.close();
    }
  } finally {
    await dropSchema(schema);
  }
});

Deno.test("migrate: 0005 keeps the errors and history stored by a version-4 schema", async () => {
  const schema = testSchema();
  const error = { name: "TypeError", message: "boom", stack: "TypeError: boom\n  at x" };
  try {
    await withAdmin(async (sql) => {
      await migrate(sql, schema, `"${schema}"`, MIGRATIONS.slice(0, 4));
      await sql.unsafe(
        `insert into "${schema}".jobs (id, method, args, queue, state, max_attempts, run_at,
           created_at, error, history)
         values ('a', 'm', null, 'default', 'Enqueued', 2, now(), now(), $1::jsonb,
           jsonb_build_array(jsonb_build_object('state', 'Enqueued', 'at', now()))),
           ('b', 'm', null, 'default', 'Enqueued', 2, now(), now(), null, default)`,
        [error],
      );
    });
    const s = await connect(schema, true);
    try {
      assert.deepEqual((await s.get({ id: "a" }))?.error, error);
      assert.deepEqual(await columnTypes(s, schema, ["error", "history"]), [
        "error:json",
        "history:json",
      ]);
      // Entries append to histories stored before (one entry, and the empty default).
      const now = new Date();
      const fetched = await s.fetchAndLock({
        queues: ["default"],
        limit: 2,
        serverName: "s1",
        lockTtlMs: 30_000,
        now,
      });
      assert.deepEqual(fetched.map((j) => j.history.map((e) => e.state)).sort(), [
        ["Enqueued", "Processing"],
        ["Processing"],
      ]);
      const stored = await s.get({ id: "a" });
      assert.deepEqual(stored?.history.map((e) => e.state), ["Enqueued", "Processing"]);
    } finally {
      await s.close();
    }
  } finally {
    await dropSchema(schema);
  }
});

Deno.test("migrate: args_field, whose EXCEPTION block is a subtransaction, is PARALLEL UNSAFE", async () => {
  const schema = testSchema();
  const s = await connect(schema, true);
  try {
    const [row] = await s.sql.unsafe(
      `select p.proparallel from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = $1 and p.proname = 'args_field'`,
      [schema],
    );
    assert.equal(row.proparallel, "u");
    // Still reads a field, and still turns an unconvertible one into NULL.
    const [r] = await s.sql.unsafe(
      `select "${schema}".args_field('{"a":"x"}', 'a') as a,
              "${schema}".args_field('{"a":"\\u0000"}', 'a') as b`,
    );
    assert.deepEqual([r.a, r.b], ["x", null]);
  } finally {
    await s.close();
    await dropSchema(schema);
  }
});
