/**
 * The job search of the dashboard's list, defined once: how a search text is read and
 * which jobs it matches. Memory applies {@link matchesSearch}; the durable backends
 * express the same rule in SQL and Lua (each cites this module).
 *
 * A job matches when any of these holds (all case-insensitive for ASCII letters, as every
 * backend can fold case cheaply and identically: `É` and `é` stay different):
 * - its id starts with the text;
 * - its method contains the text;
 * - the JSON of its `args` contains the text;
 * - the text reads `key:value` and the top-level field `key` of `args` equals `value`
 *   (a string field compared as text, any other value as its JSON).
 *
 * @module
 */

/** Lowercase the ASCII letters of `s` (and nothing else): the case folding of a search. */
export function foldCase(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** A parsed search. */
export interface JobSearch {
  /** The trimmed text, case-folded ({@link foldCase}). */
  text: string;
  /** The `key:value` reading of the text, when it has that shape. */
  field: { key: string; value: string } | null;
}

// A top-level field name: no spaces, no quotes, no colon.
const FIELD_RE = /^([A-Za-z0-9_$.-]+):(.+)$/;

/** Read a search text; `null` when it is blank (no search). */
export function parseSearch(search: string | undefined | null): JobSearch | null {
  const trimmed = (search ?? "").trim();
  if (trimmed === "") return null;
  const m = FIELD_RE.exec(trimmed);
  return {
    text: foldCase(trimmed),
    field: m ? { key: m[1], value: foldCase(m[2]) } : null,
  };
}

/** The text of a field value as `key:value` compares it. */
export function fieldText(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v) ?? "";
}

/** Whether a job matches `search` (see the module doc). */
export function matchesSearch(
  job: { id: string; method: string; args: unknown },
  search: JobSearch,
): boolean {
  const { text, field } = search;
  if (job.id.startsWith(text) || foldCase(job.method).includes(text)) return true;
  const args = job.args;
  if (
    field && args !== null && typeof args === "object" && !Array.isArray(args) &&
    Object.hasOwn(args, field.key) &&
    foldCase(fieldText((args as Record<string, unknown>)[field.key])) === field.value
  ) return true;
  return foldCase(JSON.stringify(args) ?? "").includes(text);
}
