/**
 * PostgresStorage against the conformance suite, each case in a schema of its own.
 * Backend-only behaviour lives in the other `postgres_*_test.ts` files.
 */
import { runStorageConformance } from "./conformance/mod.ts";
import { openTestStorage } from "../_helpers/postgres.ts";

runStorageConformance("postgres", () => openTestStorage());
