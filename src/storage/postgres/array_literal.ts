/**
 * Postgres array literals (`{"a","b",NULL}`) built here rather than by the driver.
 *
 * postgres.js turns a JavaScript array parameter into the same text, but escapes every
 * element with two regular-expression passes and allocates a string per step; for the
 * 20-odd columns of a 10,000-job enqueue that was the producer's largest cost after the
 * wait for the database. Here an element is escaped only when it holds a `"` or `\`, and a
 * run of equal values (the method, queue, state and times of a bulk enqueue) is encoded
 * once. The driver passes a string parameter through unchanged, so the statement's
 * `$n::text[]` (or `integer[]`, …) cast parses the literal exactly as it parsed the
 * driver's.
 *
 * @module
 */

const NEEDS_ESCAPE = /["\\]/;
const ESCAPED = /["\\]/g;

/** One element, quoted: `"…"` with `"` and `\` backslash-escaped. */
function quoted(s: string): string {
  return NEEDS_ESCAPE.test(s) ? `"${s.replace(ESCAPED, "\\$&")}"` : `"${s}"`;
}

/**
 * The array literal of `values` (text elements; null and undefined become `NULL`); `{}`
 * when every value is null, which `unnest` pads with nulls.
 *
 * @example
 * ```ts
 * import { textArray } from "./array_literal.ts";
 * console.log(textArray(["a", 'say "hi"', null])); // {"a","say \"hi\"",NULL}
 * ```
 */
export function textArray(values: readonly (string | null | undefined)[]): string {
  const parts = new Array<string>(values.length);
  let any = false;
  let last: string | undefined, lastText = "";
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v === null || v === undefined) {
      parts[k] = "NULL";
      continue;
    }
    any = true;
    if (v !== last) {
      last = v;
      lastText = quoted(v);
    }
    parts[k] = lastText;
  }
  return any ? `{${parts.join(",")}}` : "{}";
}

/**
 * The array literal of `values` (numbers, written as `String` writes them, which the
 * numeric input functions read back exactly); `{}` when every value is null.
 *
 * @example
 * ```ts
 * import { numberArray } from "./array_literal.ts";
 * console.log(numberArray([1, null, 2.5])); // {1,NULL,2.5}
 * ```
 */
export function numberArray(values: readonly (number | null | undefined)[]): string {
  const parts = new Array<string>(values.length);
  let any = false;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (v === null || v === undefined) parts[k] = "NULL";
    else {
      parts[k] = String(v);
      any = true;
    }
  }
  return any ? `{${parts.join(",")}}` : "{}";
}
