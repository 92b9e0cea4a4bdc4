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
  const mark = PARENTS.length;
  let size: number;
  try {
    size = value === undefined ? 4 : bytesOf(value, PARENTS);
  } finally {
    PARENTS.length = mark; // a refusal returns mid-walk, without popping
  }
  if (size < 0) explain(value, what);
  if (size > maxBytes) {
    fail(what, `is ${size} bytes of JSON, over the limit of ${maxBytes} (maxPayloadBytes)`);
  }
  return size;
}

function fail(path: string, msg: string): never {
  throw new ValidationError(`${path} ${msg}`, [`${path} ${msg}`]);
}

function isPlain(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

// The objects being walked, kept across calls (each `checkPayload` leaves it as it found it):
// a new array per call, and its growth on the first push, were most of what checking small
// arguments allocated.
const PARENTS: object[] = [];

// The bytes JSON.stringify would write for `v` (so the size costs no serialisation), or -1 if
// `v` breaks the rule: the hot path builds no path strings; `explain` finds the culprit.
function bytesOf(v: unknown, parents: object[]): number {
  switch (typeof v) {
    case "string":
      return jsonStringBytes(v);
    case "boolean":
      return v ? 4 : 5;
    case "number":
      return Number.isSafeInteger(v)
        ? integerLength(v)
        : Number.isFinite(v)
        ? String(v).length
        : -1;
    case "object": {
      if (v === null) return 4;
      if (v instanceof Date) return JSON.stringify(v).length; // an ISO string, or null
      if (!isPlain(v) || parents.includes(v)) return -1;
      parents.push(v);
      let n = 2;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const m = bytesOf(v[i], parents);
          if (m < 0) return -1;
          n += m + (i > 0 ? 1 : 0);
        }
      } else {
        let first = true;
        for (const k in v) {
          if (!Object.hasOwn(v, k)) continue;
          const x = (v as Record<string, unknown>)[k];
          if (x === undefined) continue;
          const m = bytesOf(x, parents);
          if (m < 0) return -1;
          n += jsonStringBytes(k) + 1 + m + (first ? 0 : 1);
          first = false;
        }
      }
      parents.pop();
      return n;
    }
    default:
      return -1;
  }
}

// Walk `v` again, naming the path of the first value that breaks the rule; always throws.
function explain(value: unknown, what: string): never {
  const parents: object[] = [];
  const visit = (v: unknown, path: string): void => {
    switch (typeof v) {
      case "string":
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(v)) fail(path, `${v} is not a finite number`);
        return;
      case "object": {
        if (v === null || v instanceof Date) return;
        if (parents.includes(v)) fail(path, "is a cycle");
        if (!isPlain(v)) {
          const name = Object.getPrototypeOf(v)?.constructor?.name ?? "class instance";
          fail(path, `is a ${name}, not plain data`);
        }
        parents.push(v);
        if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`));
        else {
          for (const [k, x] of Object.entries(v)) if (x !== undefined) visit(x, `${path}.${k}`);
        }
        parents.pop();
        return;
      }
      default:
        fail(path, `is a ${typeof v}, not JSON`);
    }
  };
  visit(value, what);
  return fail(what, "is not JSON");
}

/**
 * Throw {@link ValidationError} if `value` is not plain JSON data (see
 * {@link checkPayload}, of which this is the size-free form).
 */
export function assertJson(value: unknown, what = "args"): void {
  checkPayload(value, what);
}

/** Characters of the safe integer `n` as JSON writes it (no string built for it). */
function integerLength(n: number): number {
  let len = n < 0 ? 2 : 1;
  for (let m = Math.abs(n); m >= 10; m = Math.floor(m / 10)) len++;
  return len;
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
