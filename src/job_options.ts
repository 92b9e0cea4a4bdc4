/**
 * The rules for a job's queue, priority and attempts, wherever they are given (enqueue
 * options, a server's queue list, a recurring template): one definition, one error class
 * ({@link ConfigError}, naming the option).
 *
 * @module
 */
import { ConfigError } from "./errors.ts";

/** A queue name: 1..100 letters, digits, `_ . : -`. */
export const QUEUE_NAME_PATTERN: RegExp = /^[\w.:\-]{1,100}$/;

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
 * @throws {ConfigError} unless it is an integer ≥ 1.
 */
export function checkMaxAttempts(option: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(option, `expected an integer ≥ 1, got ${value}`);
  }
  return value;
}
