/**
 * What the SQLite floor benchmarks (`sqlite_insert_floor.ts`, `sqlite_job_life.ts`) share:
 * job rows as `SqliteStorage` writes them for `enqueueMany` of no-op jobs, and a fresh file
 * with the real migrations applied.
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { SQLITE_MIGRATIONS } from "../src/storage/sqlite/migrate.ts";

/** Parameters per row of `insert_jobs.sql`. */
export const JOB_COLUMNS = 23;

/** `n` rows of `insert_jobs.sql`'s parameters: time-ordered ids, one history entry. */
export function jobRows(n: number, now: number): (string | number | null)[][] {
  const at = new Date(now).toISOString();
  const history = `[{"state":"Enqueued","at":"${at}","reason":"enqueued"}]`;
  return Array.from({ length: n }, (_, i) => [
    `0190${now.toString(16).padStart(8, "0")}-7000-8000-${String(i).padStart(12, "0")}`,
    "noop",
    JSON.stringify({ i }),
    "default",
    0,
    "Enqueued",
    0,
    5,
    null,
    null,
    now,
    now,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    0,
    history,
    null,
  ]);
}

/**
 * A new database in a fresh temporary directory, WAL mode and `synchronous=OFF`, with every
 * migration applied (or the first `migrations`); `done` closes it and removes the directory.
 */
export function freshDatabase(
  migrations = SQLITE_MIGRATIONS.length,
): { db: DatabaseSync; done: () => void } {
  const dir = Deno.makeTempDirSync({ prefix: "qml_sqlite_floor_" });
  const db = new DatabaseSync(`${dir}/jobs.db`);
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -32000");
  for (const m of SQLITE_MIGRATIONS.slice(0, migrations)) db.exec(m.sql);
  return {
    db,
    done: () => {
      db.close();
      Deno.removeSync(dir, { recursive: true });
    },
  };
}
