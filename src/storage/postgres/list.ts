/**
 * The dashboard's job list: the SQL of `sql/postgres/queries/list_jobs.sql` specialised for the
 * filters actually given, so that each combination is planned once against the index that
 * serves it, instead of one catch-all statement whose generic plan serves none.
 *
 * @module
 */
import { isJobState } from "../../job_state.ts";
import type { ListParams } from "../storage.ts";

/** A list query: its SQL text and parameters. */
export interface ListQuery {
  /** The SQL. */
  text: string;
  /** Its parameters, `$1` first. */
  params: unknown[];
}

/**
 * Build the list query for `p` from the `list_jobs.sql` template (schema already filled in).
 * Returns `null` when the filters cannot match anything (an unknown state).
 */
export function buildListQuery(template: string, p: ListParams, limit: number): ListQuery | null {
  const where: string[] = [];
  const params: unknown[] = [limit + 1];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (p.state !== undefined && p.state !== null) {
    if (!isJobState(p.state)) return null;
    // Safe to inline: one of seven fixed enum names, checked just above.
    where.push(`state = '${p.state}'`);
  }
  if (p.queue !== undefined && p.queue !== null) where.push(`queue = ${param(p.queue)}`);
  if (p.method !== undefined && p.method !== null) where.push(`method = ${param(p.method)}`);
  if (p.search) {
    const s = param(p.search.toLowerCase());
    where.push(`(strpos(lower(id), ${s}) > 0 OR strpos(lower(method), ${s}) > 0)`);
  }
  if (p.cursor) where.push(`id < ${param(p.cursor)}`);
  return {
    text: template.replace("{{filters}}", where.length ? where.join(" AND ") : "true"),
    params,
  };
}
