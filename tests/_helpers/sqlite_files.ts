/**
 * What the SQLite backend tests share: a temporary directory per test, the child process
 * that acts on a database file from outside, and a matcher for a `StorageError`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { StorageError } from "../../src/errors.ts";

/** The child process script (`tests/fixtures/sqlite_child.ts`). */
export const CHILD = new URL("../fixtures/sqlite_child.ts", import.meta.url).pathname;

/** A fixed time for jobs built by the tests. */
export const T0 = new Date("2026-01-01T00:00:00Z");

/** Run `fn` with a fresh temporary directory, removed afterwards. */
export async function inTempDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "qml_sqlite_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** An `assert.rejects` matcher: a `StorageError` whose message matches `re`. */
export const isStorageError = (re: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof StorageError, String(err));
  assert.match(err.message, re);
  return true;
};
