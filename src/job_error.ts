/**
 * The error as stored on a job, and how anything thrown becomes one. A leaf module: the
 * job record, retry policies and events all refer to it.
 *
 * @module
 */

/** An error as stored on a job: plain data, safe to serialise. */
export interface JobError {
  /** The error class name, e.g. `TypeError` or `JobTimeoutError`. */
  name: string;
  /** The error message. */
  message: string;
  /** The stack trace, when there was one. */
  stack?: string;
  /** The qml error code, when the error was a `QmlError`. */
  code?: string;
}

/** Turn anything thrown into a storable {@link JobError}. */
export function toJobError(err: unknown): JobError {
  if (err instanceof Error) {
    const out: JobError = { name: err.name, message: err.message };
    if (err.stack) out.stack = err.stack;
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string") out.code = code;
    return out;
  }
  return { name: "Error", message: typeof err === "string" ? err : safeString(err) };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
