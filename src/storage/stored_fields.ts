/**
 * Decoding stored jobs whose JSON fields may not parse. A record written by hand, by another
 * program or damaged must fail its own job, not every fetch, list and rescue that meets it:
 * a fetch that throws on one record leaves every job of its batch locked and unrun, and the
 * next fetch meets the same record again.
 *
 * @module
 */
import type { Job } from "../job.ts";

/** How a decoder parses one stored JSON field (`field` names it in the problem it reports). */
export type FieldParser = (text: string, field: string) => unknown;

const strict: FieldParser = (text) => JSON.parse(text);

/**
 * Decode the stored job `raw` with `decode`, which parses every JSON field through the parser
 * it is given (a plain function of `raw`, so the common path allocates no closure). The first try parses strictly (no cost on the common path); when it throws, the
 * job is decoded again with fields that do not parse read as `null` (a history entry that
 * does not parse is left out) and comes back with {@link Job.unreadable} saying what failed.
 * When even that cannot build a job, the first error is thrown.
 *
 * @example
 * ```ts
 * import { decodeStored } from "./stored_fields.ts";
 * const job = decodeStored("{oops", (text, parse) => ({ args: parse(text, "args") }) as never);
 * console.log(job.unreadable); // "args: …"
 * ```
 */
export function decodeStored<R>(raw: R, decode: (raw: R, parse: FieldParser) => Job): Job {
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
    let job: Job;
    try {
      job = decode(raw, lenient);
    } catch {
      throw first;
    }
    job.unreadable = problems.length > 0
      ? problems.join("; ")
      : first instanceof Error
      ? first.message
      : String(first);
    return job;
  }
}
