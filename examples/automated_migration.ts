/**
 * Three ways to run qml's schema migrations, and a health check.
 *
 *     deno run -A examples/automated_migration.ts [development|production|testing]
 *
 * - development: `autoMigrate: true` (the default) — connect creates or upgrades the schema.
 *   Simple; every server may migrate, and an advisory lock makes that safe.
 * - production: migrate once from a deploy step (`autoMigrate: false` + `migrate()`), then
 *   servers connect with `autoMigrate: false` and refuse to start on a stale schema.
 * - testing: a throwaway schema per test run, dropped afterwards.
 *
 * Without an argument all three run in turn. DATABASE_URL picks the database
 * (default: postgres://postgres@127.0.0.1:5432/test). Every schema used is dropped.
 *
 * @module
 */
import { PostgresStorage } from "../mod.ts";

const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";

async function drop(storage: PostgresStorage): Promise<void> {
  await storage.sql.unsafe(`DROP SCHEMA IF EXISTS "${storage.schema}" CASCADE`);
}

async function development(): Promise<void> {
  const storage = await PostgresStorage.connect({ url, schema: "qml_example_dev" });
  try {
    const health = await storage.healthCheck();
    console.log(`[development] connected; schema version ${health.schemaVersion}, ok=${health.ok}`);
  } finally {
    await drop(storage);
    await storage.close();
  }
}

async function production(): Promise<void> {
  const schema = "qml_example_prod";
  // 1. The deploy step: migrate explicitly, once, and fail the deploy if it fails.
  const deploy = await PostgresStorage.connect({ url, schema, autoMigrate: false });
  try {
    console.log(
      `[production] pending before deploy: ${(await deploy.pendingMigrations()).join(", ")}`,
    );
    const { applied, version } = await deploy.migrate();
    console.log(
      `[production] deploy applied ${applied.length} migration(s), now at version ${version}`,
    );
  } finally {
    await deploy.close();
  }
  // 2. A server: never migrates; checks the schema before taking work.
  const server = await PostgresStorage.connect({ url, schema, autoMigrate: false });
  try {
    const health = await server.healthCheck();
    if (!health.ok) throw new Error(`refusing to start: ${health.error}`);
    console.log(
      `[production] server health: ok=${health.ok} latency=${health.latencyMs.toFixed(1)} ms ` +
        `pending=${health.pendingMigrations.length}`,
    );
    console.log(`[production] migrateIfNeeded → ${await server.migrateIfNeeded()}`);
  } finally {
    await drop(server);
    await server.close();
  }
}

async function testing(): Promise<void> {
  const schema = `qml_example_test_${crypto.randomUUID().slice(0, 8)}`;
  const storage = await PostgresStorage.connect({ url, schema });
  try {
    console.log(`[testing] fresh schema ${schema}: exists=${await storage.schemaExists()}`);
  } finally {
    await drop(storage);
    await storage.close();
  }
  const check = await PostgresStorage.connect({ url, schema, autoMigrate: false });
  try {
    console.log(`[testing] after cleanup: exists=${await check.schemaExists()}`);
  } finally {
    await check.close();
  }
}

const strategies: Record<string, () => Promise<void>> = { development, production, testing };
const chosen = Deno.args[0];
if (chosen !== undefined && !(chosen in strategies)) {
  console.error(`unknown strategy "${chosen}"; expected ${Object.keys(strategies).join(", ")}`);
  Deno.exit(2);
}
for (const [name, run] of Object.entries(strategies)) {
  if (chosen === undefined || chosen === name) await run();
}
console.log("done");
