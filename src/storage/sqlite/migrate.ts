/**
 * Schema migrations for SQLite: the `.sql` files of `sql/sqlite/migrations/`, embedded,
 * applied in order, each recorded in `qml_migrations`. All of it runs in one
 * `BEGIN IMMEDIATE` transaction, so processes opening the file together apply each
 * migration once (the others wait on the write lock, then find nothing to do).
 *
 * @module
 */
import { MigrationError, StorageError } from "../../errors.ts";
import { latestVersion, type MigrateResult, type Migration, pendingNames } from "../migrations.ts";
import type { Connection } from "./connection.ts";
import { errorMessage } from "./connection.ts";
import m0001 from "../../../sql/sqlite/migrations/0001_schema.sql" with { type: "text" };
import m0002 from "../../../sql/sqlite/migrations/0002_job_counts.sql" with { type: "text" };
import m0003 from "../../../sql/sqlite/migrations/0003_trace_context.sql" with { type: "text" };
import m0004 from "../../../sql/sqlite/migrations/0004_dashboard_index_terms.sql" with {
  type: "text",
};
import m0005 from "../../../sql/sqlite/migrations/0005_jobs_rowid.sql" with { type: "text" };

/** One migration: a version, a name and its SQL. */
export type SqliteMigration = Migration;

/** Every migration, oldest first. Append new files here; never edit an applied one. */
export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  { version: 1, name: "0001_schema", sql: m0001 },
  { version: 2, name: "0002_job_counts", sql: m0002 },
  { version: 3, name: "0003_trace_context", sql: m0003 },
  { version: 4, name: "0004_dashboard_index_terms", sql: m0004 },
  { version: 5, name: "0005_jobs_rowid", sql: m0005 },
];

/** What {@link migrate} did. */
export type SqliteMigrateResult = MigrateResult;

/** What `SqliteStorage.healthCheck` reports. */
export interface SqliteHealth {
  /** The database answered and the schema is fully migrated. */
  ok: boolean;
  /** Time of a trivial query, in ms. */
  latencyMs: number;
  /** Highest applied migration version (0: none). */
  schemaVersion: number;
  /** Migrations not yet applied. */
  pendingMigrations: string[];
  /** Why `ok` is false, when it is. */
  error?: string;
}

const BOOTSTRAP = `CREATE TABLE IF NOT EXISTS qml_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT    NOT NULL,
  applied_at INTEGER NOT NULL
)`;

/** Versions recorded as applied, with their names; empty when the table is missing. */
export function appliedMigrations(conn: Connection): Map<number, string> {
  return conn.read("migrations", () => {
    const exists = conn.stmt(
      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'qml_migrations'",
    ).get();
    if (!exists) return new Map();
    const rows = conn.stmt("SELECT version, name FROM qml_migrations ORDER BY version").all();
    return new Map(rows.map((r) => [r.version as number, r.name as string]));
  });
}

/**
 * Refuse a database written by a newer qml: its schema may mean things this version does
 * not know, and "migrating" it could only damage it.
 */
function checkNotNewer(done: Map<number, string>, migrations: readonly SqliteMigration[]) {
  const known = latestVersion(migrations);
  for (const [version, name] of done) {
    if (version > known) {
      throw new MigrationError(
        name,
        `the database has schema version ${version}, newer than this qml knows (${known}); ` +
          "upgrade qml (the database was left untouched)",
      );
    }
  }
}

/** Names of the migrations not yet applied. */
export function pendingMigrations(
  conn: Connection,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): string[] {
  const done = appliedMigrations(conn);
  checkNotNewer(done, migrations);
  return pendingNames(migrations, done);
}

/**
 * Apply every pending migration.
 *
 * @throws {MigrationError} naming the migration that failed (nothing of it is kept), or the
 * newer version the database already has.
 */
export function migrate(
  conn: Connection,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): SqliteMigrateResult {
  let current = "(bootstrap)";
  try {
    return conn.write("migrate", () => {
      conn.db.exec(BOOTSTRAP);
      const done = appliedMigrations(conn);
      checkNotNewer(done, migrations);
      const applied: string[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        current = m.name;
        conn.db.exec(m.sql);
        conn.stmt("INSERT INTO qml_migrations (version, name, applied_at) VALUES (?, ?, ?)")
          .run(m.version, m.name, Date.now());
        applied.push(m.name);
      }
      const version = latestVersion(migrations, done.keys());
      return { applied, version };
    });
  } catch (err) {
    if (err instanceof MigrationError) throw err;
    if (current === "(bootstrap)" && err instanceof StorageError) throw err;
    const cause = err instanceof StorageError ? err.cause ?? err : err;
    throw new MigrationError(current, errorMessage(cause), { cause: err });
  }
}

/** Query the database and compare the schema with the migrations; never throws. */
export function checkHealth(
  conn: Connection,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): SqliteHealth {
  const started = performance.now();
  try {
    conn.stmt("SELECT 1").get();
    const latencyMs = performance.now() - started;
    const done = appliedMigrations(conn);
    const pending = pendingNames(migrations, done);
    const schemaVersion = Math.max(0, ...done.keys());
    const known = latestVersion(migrations);
    const health: SqliteHealth = {
      ok: pending.length === 0 && schemaVersion <= known,
      latencyMs,
      schemaVersion,
      pendingMigrations: pending,
    };
    if (schemaVersion > known) health.error = `schema version ${schemaVersion} is newer than qml`;
    else if (pending.length) health.error = `pending migrations: ${pending.join(", ")}`;
    return health;
  } catch (err) {
    return {
      ok: false,
      latencyMs: performance.now() - started,
      schemaVersion: 0,
      pendingMigrations: [],
      error: errorMessage(err),
    };
  }
}
