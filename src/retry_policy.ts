/**
 * Retry policies: how long to wait before the next attempt.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";
import type { JobError } from "./job_error.ts";
import { checkMaxAttempts } from "./job_options.ts";

/**
 * A serialisable backoff: stored on jobs (per-job override) and used by workers.
 *
 * - `exponential`: `baseMs * 2^(attempt-1)`, capped at `maxMs`, then shortened by up to
 *   `jitter` (a fraction, default 0.2) at random so that retries of a burst spread out.
 * - `fixed`: always `delayMs`.
 * - `none`: retry at once.
 */
export type BackoffSpec =
  | { type: "exponential"; baseMs?: number; maxMs?: number; jitter?: number }
  | { type: "fixed"; delayMs: number }
  | { type: "none" };

/** A custom backoff: the delay in ms before attempt `attempt + 1`, given the error of attempt `attempt`. */
export type BackoffFn = (attempt: number, error: JobError) => number;

/**
 * A worker's retry policy, as written in `defineWorker({ retry })`.
 *
 * @example
 * ```ts
 * import type { RetryPolicy } from "@qml/qml";
 * const retry: RetryPolicy = { maxAttempts: 5, backoff: "exponential", baseMs: 1_000, maxMs: 3_600_000 };
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included (default 5). 1 means never retry. */
  maxAttempts?: number;
  /** `"exponential"` (default), `"fixed"`, `"none"`, or a function of (attempt, error). */
  backoff?: "exponential" | "fixed" | "none" | BackoffFn;
  /** Exponential: the first delay (default 1 s). Fixed: the delay (default 1 s). */
  baseMs?: number;
  /** Exponential: the cap (default 1 h). */
  maxMs?: number;
  /** Exponential: fraction of the delay removed at random, 0..1 (default 0.2). */
  jitter?: number;
}

/** Attempts a job gets when neither the job nor its worker says. */
export const DEFAULT_MAX_ATTEMPTS = 5;

/** Defaults: 5 attempts, exponential from 1 s doubling to a 1 h cap, 20 % jitter. */
export const DEFAULT_RETRY = {
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  baseMs: 1_000,
  maxMs: 3_600_000,
  jitter: 0.2,
} as const;

/** Check a retry policy and throw {@link ConfigError} naming what is wrong. */
export function validateRetryPolicy(policy: RetryPolicy, where = "retry"): void {
  const { maxAttempts, baseMs, maxMs, jitter, backoff } = policy;
  if (maxAttempts !== undefined) checkMaxAttempts(`${where}.maxAttempts`, maxAttempts);
  checkDelays(where, { baseMs, maxMs, jitter });
  if (
    backoff !== undefined && typeof backoff !== "function" &&
    !["exponential", "fixed", "none"].includes(backoff)
  ) {
    throw new ConfigError(
      `${where}.backoff`,
      `expected "exponential", "fixed", "none" or a function`,
    );
  }
}

/**
 * Check a per-job {@link BackoffSpec} (an enqueue option; stored with the job) and throw
 * {@link ConfigError} naming what is wrong: its delays follow the worker policy's rules.
 */
export function validateBackoffSpec(spec: unknown, where = "backoff"): BackoffSpec {
  const type = (spec as { type?: unknown } | null)?.type;
  if (typeof spec !== "object" || !["exponential", "fixed", "none"].includes(type as string)) {
    throw new ConfigError(
      where,
      `expected { type: "exponential" | "fixed" | "none", … }, got ${JSON.stringify(spec)}`,
    );
  }
  const s = spec as Partial<Record<"baseMs" | "maxMs" | "jitter" | "delayMs", number>>;
  if (type === "fixed" && s.delayMs === undefined) {
    throw new ConfigError(`${where}.delayMs`, "expected a number of ms ≥ 0");
  }
  checkDelays(where, s);
  return spec as BackoffSpec;
}

// Delays are finite ms ≥ 0, jitter a fraction: the one rule for policies and per-job specs.
function checkDelays(
  where: string,
  d: { baseMs?: unknown; maxMs?: unknown; jitter?: unknown; delayMs?: unknown },
): void {
  for (const k of ["baseMs", "maxMs", "delayMs"] as const) {
    const v = d[k];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0)) {
      throw new ConfigError(`${where}.${k}`, `expected a number of ms ≥ 0, got ${v}`);
    }
  }
  const j = d.jitter;
  if (j !== undefined && (typeof j !== "number" || !Number.isFinite(j) || j < 0 || j > 1)) {
    throw new ConfigError(`${where}.jitter`, `expected a fraction 0..1, got ${j}`);
  }
}

/**
 * The attempts a new job gets: the job's own `maxAttempts`, else its worker's
 * `retry.maxAttempts`, else {@link DEFAULT_MAX_ATTEMPTS}.
 */
export function resolveMaxAttempts(
  own: number | null | undefined,
  policy: RetryPolicy | undefined,
): number {
  return own ?? policy?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
}

/** The delay before the next attempt, after attempt number `attempt` (1-based) failed with `error`. */
export function backoffDelay(
  attempt: number,
  error: JobError,
  opts: { jobBackoff?: BackoffSpec | null; policy?: RetryPolicy; random?: () => number },
): number {
  const random = opts.random ?? Math.random;
  const spec = opts.jobBackoff ?? specOf(opts.policy);
  if (typeof spec === "function") return Math.max(0, Number(spec(attempt, error)) || 0);
  switch (spec.type) {
    case "none":
      return 0;
    case "fixed":
      return spec.delayMs;
    case "exponential": {
      const base = spec.baseMs ?? DEFAULT_RETRY.baseMs;
      const cap = spec.maxMs ?? DEFAULT_RETRY.maxMs;
      const jitter = spec.jitter ?? DEFAULT_RETRY.jitter;
      const raw = Math.min(cap, base * 2 ** Math.max(0, attempt - 1));
      return Math.round(raw * (1 - jitter * random()));
    }
  }
}

function specOf(policy: RetryPolicy | undefined): BackoffSpec | BackoffFn {
  const b = policy?.backoff ?? "exponential";
  if (typeof b === "function") return b;
  if (b === "fixed") return { type: "fixed", delayMs: policy?.baseMs ?? DEFAULT_RETRY.baseMs };
  if (b === "none") return { type: "none" };
  return {
    type: "exponential",
    baseMs: policy?.baseMs,
    maxMs: policy?.maxMs,
    jitter: policy?.jitter,
  };
}
