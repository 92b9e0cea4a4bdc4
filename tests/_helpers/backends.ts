/**
 * Every backend as a fresh isolated storage, for tests that must hold on each
 * (memory, Postgres schema of its own, Redis key prefix of its own, SQLite file of its own).
 */
import type { BackendHarness } from "../storage/conformance/harness.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { openTestStorage as openPostgres } from "./postgres.ts";
import { openTestStorage as openRedis } from "./redis.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";

/** A SQLite storage in a fresh temporary directory, removed by `cleanup`. */
export async function openSqlite(): Promise<BackendHarness> {
  const dir = await Deno.makeTempDir({ prefix: "qml_sqlite_" });
  const storage = await SqliteStorage.open({ path: `${dir}/jobs.db` });
  return {
    storage,
    async cleanup() {
      await storage.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Backend names, with a factory of fresh isolated storages. */
export const BACKENDS: readonly [string, () => Promise<BackendHarness>][] = [
  ["memory", () => {
    const storage = new MemoryStorage();
    return Promise.resolve({ storage, cleanup: () => storage.close() });
  }],
  ["postgres", () => openPostgres()],
  ["redis", () => openRedis()],
  ["sqlite", openSqlite],
];
