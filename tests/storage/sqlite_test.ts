/**
 * SqliteStorage against the conformance suite, each case in a fresh temporary file.
 * Backend-only behaviour lives in `sqlite_files_test.ts`, `sqlite_signals_test.ts` and
 * `sqlite_queries_test.ts`.
 */
import { runStorageConformance } from "./conformance/mod.ts";
import { openSqlite } from "../_helpers/backends.ts";

runStorageConformance("sqlite", openSqlite);
