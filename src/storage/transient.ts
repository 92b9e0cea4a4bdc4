/**
 * Which storage failures are transient: the one place that says whether a failed
 * call may simply be retried as it was (connection lost, timeout, server restarting)
 * or failed because of what it carried (bad data, a script error). The server
 * retries a transient batch write whole, and splits any other failed batch to
 * isolate the item that caused it, so this decides whether one bad job can hold
 * back others. Backends set {@link StorageError.transient} with these functions.
 *
 * @module
 */
import { StorageError } from "../errors.ts";

/**
 * Whether a failed storage call may succeed if retried unchanged: a
 * {@link StorageError} marked transient. Anything else (a data error, a value that
 * cannot be serialized, a bug) is tied to what was sent.
 */
export function isTransient(err: unknown): boolean {
  return err instanceof StorageError && err.transient;
}

// postgres.js connection failures carry these codes (no SQLSTATE).
const PG_CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * Whether a postgres.js error is transient: a lost or refused connection
 * (`ECONN*`, `EPIPE`, `ETIMEDOUT`, `CONNECTION_*`), SQLSTATE class 08 (connection
 * exception) or 57P01–57P03 (the server shutting down or starting). Data errors
 * (class 22, constraint violations, …) and statement timeouts (57014, which a
 * smaller batch avoids) are not.
 */
export function isTransientPostgresError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  if (PG_CONNECTION_CODES.has(code)) return true;
  if (code.startsWith("ECONN") || code === "EPIPE" || code === "ETIMEDOUT") return true;
  return code.startsWith("08") || /^57P0[1-3]$/.test(code);
}

// Redis replies that mean "not now" rather than "not this".
const REDIS_RETRY_REPLIES = /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY)\b/;

/**
 * Whether an ioredis error is transient: anything that is not a reply from the
 * server (connection closed or refused, stream not writable, retries exhausted),
 * or a reply saying the server is busy, loading or failing over. Other replies
 * (script errors, wrong types) are tied to the call.
 */
export function isTransientRedisError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "ReplyError") return REDIS_RETRY_REPLIES.test(err.message);
  // Our own encoding and decoding errors are tied to the data too.
  return !(err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError);
}
