/**
 * Every backend as a fresh isolated storage, for tests that must hold on each
 * (memory, Postgres schema of its own, Redis key prefix of its own).
 */
import type { BackendHarness } from "../storage/conformance/harness.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { openTestStorage as openPostgres } from "./postgres.ts";
import { openTestStorage as openRedis } from "./redis.ts";

/** Backend names, with a factory of fresh isolated storages. */
export const BACKENDS: readonly [string, () => Promise<BackendHarness>][] = [
  ["memory", () => {
    const storage = new MemoryStorage();
    return Promise.resolve({ storage, cleanup: () => storage.close() });
  }],
  ["postgres", () => openPostgres()],
  ["redis", () => openRedis()],
];
