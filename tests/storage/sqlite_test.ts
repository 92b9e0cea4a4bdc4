/**
 * SqliteStorage against the conformance suite, each case in a fresh temporary file.
 * Backend-only behaviour lives in `sqlite_files_test.ts`, `sqlite_signals_test.ts` and
 * `sqlite_queries_test.ts`.
 */
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { runStorageConformance } from "./conformance/mod.ts";

runStorageConformance("sqlite", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qml_sqlite_" });
  const storage = await SqliteStorage.open({ path: `${dir}/jobs.db` });
  return {
    storage,
    async cleanup() {
      await storage.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
});
