/**
 * Running one prepared statement and turning driver failures into `StorageError`s.
 *
 * @module
 */
import type postgres from "postgres";
import { StorageError } from "../../errors.ts";
import { isTransientPostgresError } from "../transient.ts";

/** Runs one prepared statement on the storage's pool (what the verb modules take). */
export type Run = (
  op: string,
  text: string,
  params: unknown[],
) => Promise<Record<string, unknown>[]>;

/** Run `text` with `params` as a prepared statement on `runner` (the pool or a transaction). */
export async function runQuery(
  runner: postgres.Sql,
  op: string,
  text: string,
  params: unknown[],
): Promise<postgres.RowList<postgres.Row[]>> {
  try {
    // deno-lint-ignore no-explicit-any
    return await runner.unsafe(text, params as any[], { prepare: true });
  } catch (err) {
    throw new StorageError(`postgres ${op} failed: ${errorMessage(err)}`, {
      cause: err,
      transient: isTransientPostgresError(err),
    });
  }
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Whether `err` (or the driver error it wraps) is a unique violation (SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  const cause = err instanceof StorageError ? err.cause : err;
  return (cause as { code?: string } | undefined)?.code === "23505";
}
