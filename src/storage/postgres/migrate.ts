/**
 * Schema migrations: the `.sql` files of `sql/postgres/migrations/`, embedded, applied in order, each
 * recorded in `<schema>.qml_migrations`. All of it runs in one transaction holding an
 * advisory lock keyed by the schema, so servers starting together apply each migration once.
 *
 * @module
 */
import type postgres from "postgres";
import { MigrationError, StorageError } from "../../errors.ts";
import { latestVersion, type MigrateResult, type Migration, pendingNames } from "../migrations.ts";
import { withSchema } from "./queries.ts";
import m0001 from "../../../sql/postgres/migrations/0001_schema.sql" with { type: "text" };
import m0002 from "../../../sql/postgres/migrations/0002_json_payloads.sql" with {
  type: "text",
};
import m0003 from "../../../sql/postgres/migrations/0003_dashboard.sql" with { type: "text" };
import m0004 from "../../../sql/postgres/migrations/0004_trace_context.sql" with { type: "text" };
import m0005 from "../../../sql/postgres/migrations/0005_json_errors.sql" with { type: "text" };
import m0006 from "../../../sql/postgres/migrations/0006_args_field_parallel_unsafe.sql" with {
  type: "text",
};
import m0007 from "../../../sql/postgres/migrations/0007_jobs_autovacuum.sql" with {
  type: "text",
};

export type { MigrateResult, Migration } from "../migrations.ts";

/** Every migration, oldest first. Append new files here; never edit an applied one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "0001_schema", sql: m0001 },
  { version: 2, name: "0002_json_payloads", sql: m0002 },
  { version: 3, name: "0003_dashboard", sql: m0003 },
  { version: 4, name: "0004_trace_context", sql: m0004 },
  { version: 5, name: "0005_json_errors", sql: m0005 },
  { version: 6, name: "0006_args_field_parallel_unsafe", sql: m0006 },
  { version: 7, name: "0007_jobs_autovacuum", sql: m0007 },
];

type Sql = postgres.Sql;

/** The migrations table; created before anything else because it records the rest. */
function bootstrapSql(schemaIdent: string): string {
  return `
    CREATE SCHEMA IF NOT EXISTS ${schemaIdent};
    CREATE TABLE IF NOT EXISTS ${schemaIdent}.qml_migrations (
      version    integer PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    );
    COMMENT ON TABLE ${schemaIdent}.qml_migrations IS 'qml schema migrations applied here';
  `;
}

/**
 * Apply every pending migration to `schema`.
 *
 * @example
 * ```ts ignore
 * const { applied } = await migrate(sql, "qml", '"qml"');
 * ```
 * @throws {MigrationError} naming the migration that failed; nothing of it is kept.
 */
export async function migrate(
  sql: Sql,
  schema: string,
  schemaIdent: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  let current = "(bootstrap)";
  try {
    return await sql.begin(async (tx) => {
      // hashtext gives a stable 32-bit key per schema: migrations of other schemas (other
      // apps, parallel test runs) never wait on each other.
      await tx.unsafe("SELECT pg_advisory_xact_lock(hashtext($1))", [`qml:migrate:${schema}`]);
      await tx.unsafe(bootstrapSql(schemaIdent)).simple();
      const rows = await tx.unsafe(`SELECT version FROM ${schemaIdent}.qml_migrations`);
      const done = new Set(rows.map((r) => r.version as number));
      const applied: string[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        current = m.name;
        await tx.unsafe(withSchema(m.sql, schemaIdent)).simple();
        await tx.unsafe(
          `INSERT INTO ${schemaIdent}.qml_migrations (version, name) VALUES ($1, $2)`,
          [m.version, m.name],
        );
        applied.push(m.name);
      }
      const version = latestVersion(migrations, done);
      return { applied, version };
    });
  } catch (err) {
    if (err instanceof MigrationError) throw err;
    throw new MigrationError(current, (err as Error)?.message ?? String(err), { cause: err });
  }
}

/** Versions recorded as applied in the schema; empty when the schema or table is missing. */
export async function appliedVersions(sql: Sql, schemaIdent: string): Promise<number[]> {
  try {
    const exists = await sql.unsafe(
      "SELECT to_regclass($1) IS NOT NULL AS ok",
      [`${schemaIdent}.qml_migrations`],
    );
    if (!exists[0].ok) return [];
    const rows = await sql.unsafe(
      `SELECT version FROM ${schemaIdent}.qml_migrations ORDER BY version`,
    );
    return rows.map((r) => r.version as number);
  } catch (err) {
    throw new StorageError(`could not read the migrations of schema ${schemaIdent}`, {
      cause: err,
    });
  }
}

/** Names of the migrations not yet applied to the schema `schemaIdent` (quoted). */
export async function pendingMigrations(
  sql: Sql,
  schemaIdent: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<string[]> {
  return pendingNames(migrations, new Set(await appliedVersions(sql, schemaIdent)));
}

/** What `PostgresStorage.healthCheck` reports. */
export interface PostgresHealth {
  /** The database answered and the schema is fully migrated. */
  ok: boolean;
  /** Round trip of a trivial query, in ms. */
  latencyMs: number;
  /** Highest applied migration version (0: none). */
  schemaVersion: number;
  /** Migrations not yet applied. */
  pendingMigrations: string[];
  /** Why `ok` is false, when it is. */
  error?: string;
}

/** Ping the database and compare the schema with {@link MIGRATIONS}; never throws. */
export async function checkHealth(
  sql: Sql,
  schemaIdent: string,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<PostgresHealth> {
  const started = performance.now();
  try {
    await sql.unsafe("SELECT 1");
    const latencyMs = performance.now() - started;
    const versions = await appliedVersions(sql, schemaIdent);
    const pending = pendingNames(migrations, new Set(versions));
    const health: PostgresHealth = {
      ok: pending.length === 0,
      latencyMs,
      schemaVersion: Math.max(0, ...versions),
      pendingMigrations: pending,
    };
    if (pending.length) health.error = `pending migrations: ${pending.join(", ")}`;
    return health;
  } catch (err) {
    return {
      ok: false,
      latencyMs: performance.now() - started,
      schemaVersion: 0,
      pendingMigrations: [],
      error: err instanceof Error ? (err.cause as Error)?.message ?? err.message : String(err),
    };
  }
}
