/**
 * The rules for a job's method, queue, priority, attempts, timeout, run time and unique key,
 * wherever they are given (enqueue options, a worker definition, a server's queue list, a
 * recurring template): one definition, one error class ({@link ConfigError}, naming the
 * option).
 *
 * They also keep every value within what every backend stores as given, so one job of a
 * batch enqueue can never make the database refuse the whole batch: Postgres's text refuses
 * NUL (SQLite cuts the string there) and both turn a lone surrogate into U+FFFD; its
 * `integer` columns stop at 2³¹ − 1; its timestamps read four-digit years only.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";

/** A queue name: 1..100 letters, digits, `_ . : -`. */
export const QUEUE_NAME_PATTERN: RegExp = /^[\w.:\-]{1,100}$/;

/** A method (worker) name: 1..200 letters, digits, `_ . : - /`. */
export const METHOD_NAME_PATTERN: RegExp = /^[\w.:\-/]{1,200}$/;

/** The largest attempt count and timeout (ms): a 32-bit integer, and `setTimeout`'s limit. */
export const INT32_LIMIT = 2_147_483_647;

/**
 * The range of run times (epoch ms), 1970 to 9999: what every backend stores and reads back
 * as given (Postgres reads four-digit years only, and a Postgres year below 50 would read back
 * as 20xx). An earlier time means "now" anyway.
 */
export const RUN_AT_RANGE: { readonly min: number; readonly max: number } = {
  min: 0,
  max: Date.parse("9999-12-31T23:59:59.999Z"),
};

/** Priorities lie in ±`PRIORITY_LIMIT`. */
export const PRIORITY_LIMIT = 1_000_000;

/**
 * Check a queue name given as `option`.
 *
 * @throws {ConfigError} unless it matches {@link QUEUE_NAME_PATTERN}.
 */
export function checkQueueName(option: string, value: unknown): string {
  if (typeof value !== "string" || !QUEUE_NAME_PATTERN.test(value)) {
    throw new ConfigError(
      option,
      `expected queue names of 1..100 letters, digits, _ . : -, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Check a method (worker) name given as `option`.
 *
 * @throws {ConfigError} unless it matches {@link METHOD_NAME_PATTERN}.
 */
export function checkMethodName(option: string, value: unknown): string {
  if (typeof value !== "string" || !METHOD_NAME_PATTERN.test(value)) {
    throw new ConfigError(
      option,
      `expected 1..200 characters of letters, digits, _ . : - /, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Check a priority given as `option`.
 *
 * @throws {ConfigError} unless it is an integer in ±{@link PRIORITY_LIMIT}.
 */
export function checkPriority(option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || Math.abs(value) > PRIORITY_LIMIT) {
    throw new ConfigError(option, `expected an integer in ±${PRIORITY_LIMIT}, got ${value}`);
  }
  return value;
}

/**
 * Check an attempt count given as `option`.
 *
 * @throws {ConfigError} unless it is an integer in 1..{@link INT32_LIMIT}.
 */
export function checkMaxAttempts(option: string, value: unknown): number {
  return checkInt32(option, value, "an integer");
}

/**
 * Check a job timeout (ms) given as `option`.
 *
 * @throws {ConfigError} unless it is an integer in 1..{@link INT32_LIMIT} (about 24.8 days).
 */
export function checkTimeoutMs(option: string, value: unknown): number {
  return checkInt32(option, value, "an integer number of ms");
}

function checkInt32(option: string, value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > INT32_LIMIT) {
    throw new ConfigError(option, `expected ${what} in 1..${INT32_LIMIT}, got ${value}`);
  }
  return value;
}

/**
 * Check a run time given as `option` (an explicit `runAt`, or now plus a delay).
 *
 * @throws {ConfigError} unless it is a valid Date within {@link RUN_AT_RANGE}.
 */
export function checkRunAt(option: string, value: unknown): Date {
  const ms = value instanceof Date ? value.getTime() : NaN;
  if (!(ms >= RUN_AT_RANGE.min && ms <= RUN_AT_RANGE.max)) {
    throw new ConfigError(
      option,
      `expected a valid Date from 1970 to 9999, got ${String(value)}`,
    );
  }
  return value as Date;
}

/**
 * Check a unique key given as `option`.
 *
 * @throws {ConfigError} unless it is a string of 1..500 characters, without NUL and
 *   without lone surrogates (which no database keeps as given).
 */
export function checkUniqueKey(option: string, value: unknown): string {
  if (
    typeof value !== "string" || value.length === 0 || value.length > 500 ||
    value.includes("\0") || !value.isWellFormed()
  ) {
    throw new ConfigError(
      option,
      "expected a string of 1..500 characters, without NUL or lone surrogates",
    );
  }
  return value;
}
