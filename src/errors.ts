/**
 * Typed errors. Every error qml throws is a {@link QmlError} with a stable
 * `code`, so callers can branch on `err.code` or on the subclass.
 *
 * @module
 */

/** Stable machine-readable error codes. */
export type QmlErrorCode =
  | "QML_ERROR"
  | "VALIDATION"
  | "UNKNOWN_WORKER"
  | "STORAGE"
  | "MIGRATION"
  | "CONFIG"
  | "JOB_TIMEOUT"
  | "ILLEGAL_TRANSITION"
  | "NOT_FOUND"
  | "WORKER_CRASHED"
  | "WAIT_TIMEOUT";

/**
 * Base class of every error thrown by qml.
 *
 * @example Branch on the code
 * ```ts
 * import { QmlError } from "@qml/qml";
 * try {
 *   throw new QmlError("boom");
 * } catch (err) {
 *   if (err instanceof QmlError) console.log(err.code);
 * }
 * ```
 */
export class QmlError extends Error {
  /** Stable code for programmatic handling. */
  readonly code: QmlErrorCode;
  /** Create an error with a message a user can act on. */
  constructor(message: string, options?: ErrorOptions & { code?: QmlErrorCode }) {
    super(message, options);
    this.name = new.target.name;
    this.code = options?.code ?? "QML_ERROR";
  }
}

/** Job arguments, a cron pattern or another input failed validation. */
export class ValidationError extends QmlError {
  /** Create a validation error; `issues` lists what was wrong, one line each. */
  constructor(message: string, readonly issues: readonly string[] = [], options?: ErrorOptions) {
    super(message, { ...options, code: "VALIDATION" });
  }
}

/** A job names a method that has no registered worker. */
export class UnknownWorkerError extends QmlError {
  /** Create the error for the unknown `method`. */
  constructor(readonly method: string, known: readonly string[] = []) {
    super(
      `no worker is registered for method "${method}"` +
        (known.length ? ` (registered: ${known.join(", ")})` : ""),
      { code: "UNKNOWN_WORKER" },
    );
  }
}

/** The storage backend failed (connection lost, query error, script error). */
export class StorageError extends QmlError {
  /**
   * Whether the same call may succeed if simply retried (connection lost, timeout,
   * server shutting down), as opposed to a failure tied to what was sent (bad data, a
   * script error). Backends classify their driver errors in `src/storage/transient.ts`.
   */
  readonly transient: boolean;
  /** Wrap a backend failure; pass the driver error as `cause`. */
  constructor(message: string, options?: ErrorOptions & { transient?: boolean }) {
    super(message, { ...options, code: "STORAGE" });
    this.transient = options?.transient ?? false;
  }
}

/** A schema migration failed; the message names the migration. */
export class MigrationError extends QmlError {
  /** Create the error for the migration named `migration`. */
  constructor(readonly migration: string, message: string, options?: ErrorOptions) {
    super(`migration ${migration} failed: ${message}`, { ...options, code: "MIGRATION" });
  }
}

/** A configuration value is invalid; the message names the option and the accepted range. */
export class ConfigError extends QmlError {
  /** Create the error for the option named `option`. */
  constructor(readonly option: string, message: string) {
    super(`invalid ${option}: ${message}`, { code: "CONFIG" });
  }
}

/** A job ran past its timeout. */
export class JobTimeoutError extends QmlError {
  /** Create the error for a job that ran longer than `timeoutMs`. */
  constructor(readonly timeoutMs: number) {
    super(`job timed out after ${timeoutMs} ms`, { code: "JOB_TIMEOUT" });
  }
}

/** A state change that the job state machine does not allow. */
export class IllegalTransitionError extends QmlError {
  /** Create the error for the move `from` → `to`. */
  constructor(readonly from: string, readonly to: string, reason = "") {
    super(`illegal job transition ${from} → ${to}${reason ? `: ${reason}` : ""}`, {
      code: "ILLEGAL_TRANSITION",
    });
  }
}

/** A job or recurring template does not exist. */
export class NotFoundError extends QmlError {
  /** Create the error for the missing `what`. */
  constructor(what: string) {
    super(`${what} not found`, { code: "NOT_FOUND" });
  }
}

/** The Web Worker running a job crashed (uncaught error) and was replaced. */
export class WorkerCrashedError extends QmlError {
  /** Create the error; `message` is what the crashed worker reported. */
  constructor(message: string) {
    super(`worker thread crashed: ${message}`, { code: "WORKER_CRASHED" });
  }
}

/** `JobClient.waitFor` gave up: the job was not final in time. */
export class WaitTimeoutError extends QmlError {
  /** Create the error for job `id`, last seen in `state`. */
  constructor(readonly id: string, readonly state: string, timeoutMs: number) {
    super(`job ${id} still ${state} after waiting ${timeoutMs} ms`, { code: "WAIT_TIMEOUT" });
  }
}
