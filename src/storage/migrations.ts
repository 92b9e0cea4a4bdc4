/**
 * What the SQL backends' schema migrations share: the shape of a migration and of a run's
 * result, and the rules for which migrations are pending and which version a list reaches.
 * Each backend keeps its own runner (locking and transactions differ).
 *
 * @module
 */

/** One migration: a version, a name and its SQL. */
export interface Migration {
  /** Increasing integer; recorded in `qml_migrations` once applied. */
  version: number;
  /** File name without `.sql`, used in messages and errors. */
  name: string;
  /** The SQL (on Postgres, with the `{{schema}}` placeholder). */
  sql: string;
}

/** What a migration run did. */
export interface MigrateResult {
  /** Names of the migrations applied now (empty when the schema was up to date). */
  applied: string[];
  /** The schema version afterwards. */
  version: number;
}

/** Names of the migrations whose version is not among the applied ones, in order. */
export function pendingNames(
  migrations: readonly Migration[],
  applied: { has(version: number): boolean },
): string[] {
  return migrations.filter((m) => !applied.has(m.version)).map((m) => m.name);
}

/** The highest version among `versions` and `migrations` (0 when there is none). */
export function latestVersion(
  migrations: readonly Migration[],
  versions: Iterable<number> = [],
): number {
  return Math.max(0, ...versions, ...migrations.map((m) => m.version));
}
