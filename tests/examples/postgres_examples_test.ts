/** The Postgres examples run as users would run them, exit 0, and say what they claim. */
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

Deno.test("examples/automated_migration.ts shows each strategy and the health check", async () => {
  const out = await runExample("examples/automated_migration.ts");
  assert.match(out, /\[development\] connected; schema version 1, ok=true/);
  assert.match(out, /\[production\] pending before deploy: 0001_schema/);
  assert.match(out, /\[production\] deploy applied 1 migration\(s\), now at version 1/);
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
  assert.match(out, /pending: 0001_schema/);
  assert.match(out, /applied: 0001_schema \(version 1\)/);
  assert.match(out, /second migrate\(\) applies: 0/);
  assert.match(out, /Enqueued, audit: nightly reindex/);
  assert.deepEqual(await leftoverSchemas(), []);
});
