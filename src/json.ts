/**
 * The one rule for what a job may carry: its arguments and its result must be
 * plain JSON data, and their UTF-8 JSON text must fit `maxPayloadBytes`.
 * Checked where a value enters the system (enqueue for arguments, the place
 * the handler returns for results), so a value no backend can store is refused
 * there, for its own job alone, with the same {@link ValidationError} on every
 * backend.
 *
 * @module
 */
import { ValidationError } from "./errors.ts";

/**
 * Default `maxPayloadBytes`: 1 MiB of UTF-8 JSON per job's arguments and per
 * result. A fetch of 100 jobs then pulls at most ~100 MiB into one process.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1_048_576;

/**
 * Check that `value` is plain JSON data and that its JSON text (as
 * `JSON.stringify` writes it, UTF-8 encoded) is at most `maxBytes` bytes.
 * Refused: functions, symbols, bigints, `undefined` inside arrays, non-finite
 * numbers, class instances other than Date (Map, Set, typed arrays…), and
 * cycles. Accepted as they are: every string (NUL and lone surrogates
 * included), `undefined` object members (dropped, as JSON does), Dates (ISO
 * strings). Returns the size in bytes.
 *
 * @throws {ValidationError} naming the path of the first offending value
 *   (e.g. `result.items[3].n is a bigint, not JSON`) or the size and the limit.
 *
 * @example
 * ```ts
 * import { checkPayload } from "./json.ts";
 * checkPayload({ to: "a@b.c" }, "args"); // 16
 * ```
 */
export function checkPayload(value: unknown, what = "args", maxBytes = Infinity): number {
  const seen = new Set<object>();
  const fail = (path: string, msg: string): never => {
    throw new ValidationError(`${path} ${msg}`, [`${path} ${msg}`]);
  };
  // Walks the value once, summing the bytes JSON.stringify would write, so the
  // size costs no extra serialisation.
  const visit = (v: unknown, path: string): number => {
    switch (typeof v) {
      case "string":
        return jsonStringBytes(v);
      case "boolean":
        return v ? 4 : 5;
      case "number":
        if (!Number.isFinite(v)) fail(path, `${v} is not a finite number`);
        return String(v).length;
      case "object": {
        if (v === null) return 4;
        if (v instanceof Date) return JSON.stringify(v).length; // an ISO string, or null
        if (seen.has(v)) fail(path, "is a cycle");
        const proto = Object.getPrototypeOf(v);
        if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
          fail(path, `is a ${proto?.constructor?.name ?? "class instance"}, not plain data`);
        }
        seen.add(v);
        let n = 2;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) n += visit(v[i], `${path}[${i}]`) + (i > 0 ? 1 : 0);
        } else {
          let first = true;
          for (const k in v) {
            if (!Object.hasOwn(v, k)) continue;
            const x = (v as Record<string, unknown>)[k];
            if (x === undefined) continue;
            n += jsonStringBytes(k) + 1 + visit(x, `${path}.${k}`) + (first ? 0 : 1);
            first = false;
          }
        }
        seen.delete(v);
        return n;
      }
      default:
        return fail(path, `is a ${typeof v}, not JSON`);
    }
  };
  const size = value === undefined ? 4 : visit(value, what);
  if (size > maxBytes) {
    fail(what, `is ${size} bytes of JSON, over the limit of ${maxBytes} (maxPayloadBytes)`);
  }
  return size;
}

/**
 * Throw {@link ValidationError} if `value` is not plain JSON data (see
 * {@link checkPayload}, of which this is the size-free form).
 */
export function assertJson(value: unknown, what = "args"): void {
  checkPayload(value, what);
}

/** Bytes of `s` as a JSON string literal in UTF-8, quotes included. */
function jsonStringBytes(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      // `"` and `\` are escaped as two bytes; \b \t \n \f \r as two; other controls as \u00XX.
      if (c >= 0x20) n += c === 0x22 || c === 0x5c ? 2 : 1;
      else n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    } else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 6; // a lone surrogate is written as \udXXX
    } else if (c >= 0xdc00 && c <= 0xdfff) n += 6;
    else n += 3;
  }
  return n;
}
