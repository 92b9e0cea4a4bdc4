/**
 * Postgres test helpers: every test gets a schema of its own (`qml_t_<random>`), dropped in
 * cleanup, so tests run in parallel against one database without seeing each other.
 *
 * @module
 */
import postgres from "postgres";
import { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import type { PostgresConfig } from "../../src/storage/postgres/config.ts";
import type { BackendHarness } from "../storage/conformance/harness.ts";

/** The test database: `QML_TEST_DATABASE_URL`, else `DATABASE_URL`, else the local one. */
export const TEST_DATABASE_URL: string = Deno.env.get("QML_TEST_DATABASE_URL") ??
  Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";

/** A fresh schema name for one test. */
export function testSchema(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return `qml_t_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Run `fn` with a short-lived admin connection, always closed afterwards. */
export async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** Drop a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  if (!/^qml_t_[0-9a-f]+$/.test(schema)) throw new Error(`refusing to drop schema ${schema}`);
  await withAdmin((sql) => sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

/** A storage on a new schema, and its cleanup (close, then drop the schema). */
export async function openTestStorage(
  config: PostgresConfig = {},
): Promise<BackendHarness & { storage: PostgresStorage; schema: string }> {
  const schema = config.schema ?? testSchema();
  const storage = await PostgresStorage.connect({
    url: TEST_DATABASE_URL,
    maxConnections: 4,
    minConnections: 1,
    ...config,
    schema,
  });
  return {
    storage,
    schema,
    async cleanup() {
      await storage.close();
      await dropSchema(schema);
    },
  };
}

export { waitUntil } from "./poll.ts";
