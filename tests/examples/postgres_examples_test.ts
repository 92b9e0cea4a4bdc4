/** The Postgres examples run as users would run them, exit 0, and say what they claim. */
import { MIGRATIONS } from "../../src/storage/postgres/migrate.ts";
import assert from "node:assert/strict";
import { TEST_DATABASE_URL, withAdmin } from "../_helpers/postgres.ts";

async function runExample(file: string, args: string[] = []): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", file, ...args],
    env: { DATABASE_URL: TEST_DATABASE_URL },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(
    out.code,
    0,
    `${file} exited ${out.code}:\n${text}\n${new TextDecoder().decode(out.stderr)}`,
  );
  return text;
}

async function leftoverSchemas(): Promise<string[]> {
  return await withAdmin(async (sql) =>
    (await sql`select nspname from pg_namespace where nspname like 'qml_example%'`).map((r) =>
      r.nspname as string
    )
  );
}

Deno.test("examples/postgres_simple.ts runs jobs, one in the caller's transaction", async () => {
  const out = await runExample("examples/postgres_simple.ts");
  assert.match(out, /send_email → Succeeded \{"messageId":"m-ada@example.com"\}/);
  assert.match(out, /ship_order → Succeeded \{"shipped":42\}/);
  assert.match(out, /succeeded: 2/);
  assert.deepEqual(await leftoverSchemas(), []);
});

// What a fresh schema gets: every embedded migration, in order.
const NAMES = MIGRATIONS.map((m) => m.name).join(", ");
const LATEST = Math.max(...MIGRATIONS.map((m) => m.version));

Deno.test("examples/automated_migration.ts shows each strategy and the health check", async () => {
  const out = await runExample("examples/automated_migration.ts");
  assert.ok(out.includes(`[development] connected; schema version ${LATEST}, ok=true`), out);
  assert.ok(out.includes(`[production] pending before deploy: ${NAMES}\n`), out);
  assert.ok(
    out.includes(
      `[production] deploy applied ${MIGRATIONS.length} migration(s), now at version ${LATEST}`,
    ),
    out,
  );
  assert.match(out, /\[production\] server health: ok=true/);
  assert.match(out, /\[production\] migrateIfNeeded → false/);
  assert.match(out, /\[testing\] after cleanup: exists=false/);
  const one = await runExample("examples/automated_migration.ts", ["testing"]);
  assert.doesNotMatch(one, /\[production\]/);
  assert.deepEqual(await leftoverSchemas(), []);
});

Deno.test("examples/custom_migrations.ts migrates by hand with autoMigrate off", async () => {
  const out = await runExample("examples/custom_migrations.ts");
  assert.match(out, /schema exists: false/);
  assert.ok(out.includes(`pending: ${NAMES}\n`), out);
  assert.ok(out.includes(`applied: ${NAMES} (version ${LATEST})`), out);
  assert.match(out, /second migrate\(\) applies: 0/);
  assert.match(out, /Enqueued, audit: nightly reindex/);
  assert.deepEqual(await leftoverSchemas(), []);
});
