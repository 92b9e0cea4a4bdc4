/** Shared types of the storage conformance suite. */
import type { Storage } from "../../../src/storage/storage.ts";

/** A fresh, isolated storage for one test (own schema / key prefix), and how to drop it. */
export interface BackendHarness {
  storage: Storage;
  /** Close the storage and drop what the test created (schema, keys). */
  cleanup(): Promise<void>;
}

/** Makes a new isolated backend for each test case. */
export type StorageFactory = () => Promise<BackendHarness>;

/** What each area of the suite receives. */
export interface ConformanceContext {
  backend: string;
  factory: StorageFactory;
  /** Case names to skip, each with the reason. */
  skip: Readonly<Record<string, string>>;
}

/** Register one conformance case as a Deno test on a fresh backend. */
export function conformanceCase(
  ctx: ConformanceContext,
  area: string,
  name: string,
  fn: (storage: Storage) => Promise<void>,
): void {
  const full = `${area}: ${name}`;
  const reason = ctx.skip[full];
  Deno.test({
    name: `[${ctx.backend}] ${full}${reason ? ` (skipped: ${reason})` : ""}`,
    ignore: reason !== undefined,
    async fn() {
      const h = await ctx.factory();
      try {
        await fn(h.storage);
      } finally {
        await h.cleanup();
      }
    },
  });
}
