/**
 * Checks that job arguments survive JSON storage unchanged.
 *
 * @module
 */
import { ValidationError } from "./errors.ts";

/**
 * Throw {@link ValidationError} if `value` is not plain JSON data (functions,
 * `undefined` inside arrays, symbols, bigints, non-finite numbers, class
 * instances other than Date, and cycles are rejected), naming the path.
 */
export function assertJson(value: unknown, what = "args"): void {
  const seen = new Set<object>();
  const visit = (v: unknown, path: string): void => {
    switch (typeof v) {
      case "string":
      case "boolean":
        return;
      case "number":
        if (!Number.isFinite(v)) fail(path, `${v} is not a finite number`);
        return;
      case "object": {
        if (v === null) return;
        if (v instanceof Date) return; // serialised as an ISO string
        if (seen.has(v)) fail(path, "is a cycle");
        const proto = Object.getPrototypeOf(v);
        if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
          fail(path, `is a ${proto?.constructor?.name ?? "class instance"}, not plain data`);
        }
        seen.add(v);
        if (Array.isArray(v)) v.forEach((x, i) => visit(x, `${path}[${i}]`));
        else {
          for (const [k, x] of Object.entries(v)) if (x !== undefined) visit(x, `${path}.${k}`);
        }
        seen.delete(v);
        return;
      }
      default:
        fail(path, `is a ${typeof v}, not JSON`);
    }
  };
  const fail = (path: string, msg: string): never => {
    throw new ValidationError(`${path} ${msg}`, [`${path} ${msg}`]);
  };
  visit(value, what);
}
