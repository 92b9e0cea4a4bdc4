/** Retry policies on their own: delays per backoff kind, jitter, caps, validation. */
import assert from "node:assert/strict";
import { backoffDelay, DEFAULT_RETRY, validateRetryPolicy } from "../src/retry_policy.ts";

const err = { name: "Error", message: "x" };

Deno.test("defaults: 5 attempts, exponential from 1 s doubling to a 1 h cap, 20 % jitter", () => {
  assert.deepEqual({ ...DEFAULT_RETRY }, {
    maxAttempts: 5,
    baseMs: 1_000,
    maxMs: 3_600_000,
    jitter: 0.2,
  });
  const noJitter = { random: () => 0 };
  assert.deepEqual([1, 2, 3, 4].map((a) => backoffDelay(a, err, noJitter)), [
    1_000,
    2_000,
    4_000,
    8_000,
  ]);
  assert.equal(backoffDelay(30, err, noJitter), 3_600_000, "capped");
  // Full jitter takes off at most 20 %.
  assert.equal(backoffDelay(1, err, { random: () => 1 }), 800);
  assert.equal(backoffDelay(1, err, { random: () => 0.5 }), 900);
});

Deno.test("fixed, none, custom functions, and a job's own backoff overriding its worker's", () => {
  assert.equal(backoffDelay(3, err, { policy: { backoff: "fixed", baseMs: 250 } }), 250);
  assert.equal(backoffDelay(3, err, { policy: { backoff: "none" } }), 0);
  const fn = (attempt: number, e: { message: string }) => attempt * 10 + e.message.length;
  assert.equal(backoffDelay(4, err, { policy: { backoff: fn } }), 41);
  assert.equal(backoffDelay(1, err, { policy: { backoff: () => -5 } }), 0, "never negative");
  assert.equal(backoffDelay(1, err, { policy: { backoff: () => NaN } }), 0);
  assert.equal(
    backoffDelay(2, err, {
      policy: { backoff: "none" },
      jobBackoff: { type: "exponential", baseMs: 100, jitter: 0 },
    }),
    200,
  );
  assert.equal(
    backoffDelay(9, err, {
      jobBackoff: { type: "exponential", baseMs: 100, maxMs: 500, jitter: 0 },
    }),
    500,
  );
});

Deno.test("bad policies are ConfigErrors naming the field", () => {
  assert.throws(() => validateRetryPolicy({ maxAttempts: 0 }), /retry\.maxAttempts/);
  assert.throws(() => validateRetryPolicy({ maxAttempts: 1.5 }), /retry\.maxAttempts/);
  assert.throws(() => validateRetryPolicy({ baseMs: -1 }), /retry\.baseMs/);
  assert.throws(() => validateRetryPolicy({ maxMs: Infinity }), /retry\.maxMs/);
  assert.throws(() => validateRetryPolicy({ jitter: 2 }, "w.retry"), /w\.retry\.jitter/);
  assert.throws(
    () => validateRetryPolicy({ backoff: "linear" as "fixed" }),
    /retry\.backoff: expected "exponential", "fixed", "none" or a function/,
  );
  validateRetryPolicy({ maxAttempts: 1, backoff: () => 1, baseMs: 0, maxMs: 0, jitter: 0 });
});
