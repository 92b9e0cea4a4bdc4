/**
 * Array parameters as Postgres array literals (`{"a","b",NULL}`), built here rather than by
 * the driver. The batch statements take every column as an array (`columns.ts`), and
 * postgres.js serialises each element with two regular-expression replacements and turns
 * every timestamp text back into a `Date` and out again: in a draining server that was a
 * quarter of what the main isolate allocated per job (see the README's Performance notes),
 * garbage that lived long enough to be promoted and grow the heap.
 *
 * The statement's own cast (`$1::text[]`, `$6::timestamptz[]`, `$7::integer[]`) parses the
 * literal as the column's type, so a statement reads it exactly as it read the array.
 *
 * @module
 */

const QUOTE_OR_BACKSLASH = /["\\]/;
// Characters JSON.stringify escapes differently from an array literal (which reads `\n` as n).
// deno-lint-ignore no-control-regex
const JSON_ESCAPED = /[\u0000-\u001f\ud800-\udfff]/;

/**
 * The array literal of `xs`, or `undefined` when an element is not a string, a finite
 * number or null (the driver serialises those arrays itself).
 *
 * @example
 * ```ts
 * import { arrayLiteral } from "./array_literal.ts";
 * console.log(arrayLiteral(["a", 'say "hi"', null, 3])); // {"a","say \"hi\"",NULL,"3"}
 * ```
 */
export function arrayLiteral(xs: readonly unknown[]): string | undefined {
  let out = "{";
  // A run of equal values (the method, queue, state and times of a bulk enqueue, one flush's
  // state) is quoted once.
  let last: unknown = undefined, lastText = "";
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    let text: string;
    if (x === last && i > 0) text = lastText;
    else if (typeof x === "string") {
      // JSON text (results, activity payloads) is full of quotes: JSON.stringify quotes it
      // in one pass, where a regular-expression replacement allocates per match.
      text = !QUOTE_OR_BACKSLASH.test(x)
        ? `"${x}"`
        : !JSON_ESCAPED.test(x)
        ? JSON.stringify(x)
        : `"${x.replace(/["\\]/g, "\\$&")}"`;
    } else if (typeof x === "number" && Number.isFinite(x)) text = `"${x}"`;
    else if (x === null) text = "NULL";
    else return undefined;
    last = x;
    lastText = text;
    out += i === 0 ? text : "," + text;
  }
  return out + "}";
}

/** Each column of a batch statement as its array literal where it can be one. */
export function columnLiterals(columns: readonly (readonly unknown[])[]): unknown[] {
  return columns.map((c) => arrayLiteral(c) ?? c);
}
