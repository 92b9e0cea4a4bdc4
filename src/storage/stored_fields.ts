/**
 * Decoding stored records (jobs, recurring templates) whose JSON fields may not parse. A
 * record written by hand, by another program or damaged must fail its own job or template,
 * not every fetch, list, rescue and cron tick that meets it: a fetch that throws on one record
 * leaves every job of its batch locked and unrun, and the next fetch meets the same record.
 *
 * @module
 */

/** How a decoder parses one stored JSON field (`field` names it in the problem it reports). */
export type FieldParser = (text: string, field: string) => unknown;

const strict: FieldParser = (text) => JSON.parse(text);

/** What a decoded record carries when some of its fields did not parse. */
export interface MaybeUnreadable {
  /** What failed to parse (`field: message`, `; `-separated). */
  unreadable?: string;
}

/**
 * Decode the stored record `raw` with `decode`, which parses every JSON field through the
 * parser it is given (a plain function of `raw`, so the common path allocates no closure).
 * The first try parses strictly (no cost on the common path); when it throws, the record is
 * decoded again with fields that do not parse read as `null` (`decode` decides what stands
 * in for them) and comes back with `unreadable` saying what failed. When even that cannot
 * build a record, the first error is thrown.
 *
 * @example
 * ```ts
 * import { decodeStored } from "./stored_fields.ts";
 * const rec = decodeStored("{oops", (text, parse): { args: unknown; unreadable?: string } => ({
 *   args: parse(text, "args"),
 * }));
 * console.log(rec.args, rec.unreadable); // null "args: …"
 * ```
 */
export function decodeStored<R, T extends MaybeUnreadable>(
  raw: R,
  decode: (raw: R, parse: FieldParser) => T,
): T {
  try {
    return decode(raw, strict);
  } catch (first) {
    const problems: string[] = [];
    const lenient: FieldParser = (text, field) => {
      try {
        return JSON.parse(text);
      } catch (err) {
        problems.push(`${field}: ${err instanceof Error ? err.message : String(err)}`);
        return null;
      }
    };
    let record: T;
    try {
      record = decode(raw, lenient);
    } catch {
      throw first;
    }
    record.unreadable = problems.length > 0
      ? problems.join("; ")
      : first instanceof Error
      ? first.message
      : String(first);
    return record;
  }
}
