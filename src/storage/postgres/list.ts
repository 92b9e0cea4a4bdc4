/**
 * The dashboard's job list: the SQL of `sql/postgres/queries/list_jobs.sql` (or, for a
 * search or a createdAt range, `search_jobs.sql`) specialised for the filters actually
 * given, so that each combination is planned once against the index that serves it,
 * instead of one catch-all statement whose generic plan serves none. Also the other read
 * verbs: a job by id and the state counts.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { isJobState } from "../../job_state.ts";
import { countsFromRows, listLimit } from "../contract_rules.ts";
import { parseSearch } from "../search.ts";
import { type JobCounts, type JobPage, type ListParams, SEARCH_SCAN_LIMIT } from "../storage.ts";
import type { Queries } from "./queries.ts";
import { pageFromRows, rowToJob } from "./rows.ts";
import type { Run } from "./run.ts";

/** One job by id, or `null`. */
export async function getJob(run: Run, q: Queries, id: string): Promise<Job | null> {
  const rows = await run("get", q.getJob, [id]);
  return rows.length ? rowToJob(rows[0]) : null;
}

/** One page of jobs matching `params`. */
export async function listJobs(
  run: Run,
  q: Queries,
  schemaIdent: string,
  params: ListParams,
): Promise<JobPage> {
  const limit = listLimit(params.limit);
  const query = buildListQuery(
    { list: q.listJobs, search: q.searchJobs },
    params,
    limit,
    schemaIdent,
  );
  if (!query) return { jobs: [], nextCursor: null };
  return pageFromRows(await run("list", query.text, query.params), limit);
}

/** Jobs per queue and state. */
export async function countJobs(run: Run, q: Queries): Promise<JobCounts> {
  return countsFromRows(await run("counts", q.counts, []));
}

/** A list query: its SQL text and parameters. */
export interface ListQuery {
  /** The SQL. */
  text: string;
  /** Its parameters, `$1` first. */
  params: unknown[];
}

/** The list templates (schema already filled in). */
export interface ListTemplates {
  /** `list_jobs.sql`. */
  list: string;
  /** `search_jobs.sql`. */
  search: string;
}

/**
 * Build the list query for `p`. Returns `null` when the filters cannot match anything
 * (an unknown state).
 */
export function buildListQuery(
  templates: ListTemplates,
  p: ListParams,
  limit: number,
  schemaIdent: string,
): ListQuery | null {
  const search = parseSearch(p.search);
  const bounded = search !== null || isDate(p.from) || isDate(p.to);
  const where: string[] = [];
  const params: unknown[] = bounded ? [limit + 1, SEARCH_SCAN_LIMIT] : [limit + 1];
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
  if (p.cursor) where.push(`id < ${param(p.cursor)}`);
  const filters = where.length ? where.join(" AND ") : "true";
  if (!bounded) return { text: templates.list.replace("{{filters}}", filters), params };

  const match: string[] = [];
  if (isDate(p.from)) match.push(`created_at >= ${param(p.from)}`);
  if (isDate(p.to)) match.push(`created_at < ${param(p.to)}`);
  if (search) {
    // The rule of src/storage/search.ts, folding ASCII case only (COLLATE "C").
    // `args_lower` (search_jobs.sql) is the lowercased `args::text`; `args_field` parses
    // the args only for rows that name the key and, when JSON would not escape it, hold
    // the value as text.
    const s = param(search.text);
    const any = [
      `starts_with(id, ${s})`,
      `strpos(lower(method COLLATE "C"), ${s}) > 0`,
      `strpos(args_lower, ${s}) > 0`,
    ];
    if (search.field) {
      const k = param(search.field.key);
      const v = param(search.field.value);
      const literal = ![...search.field.value].some((c) => c === '"' || c === "\\" || c < " ");
      any.push(
        `(strpos(args_lower, '"' || lower(${k} COLLATE "C") || '"') > 0 AND ` +
          (literal ? `strpos(args_lower, ${v}) > 0 AND ` : "") +
          `lower(${schemaIdent}.args_field(args::text, ${k}) COLLATE "C") = ${v})`,
      );
    }
    match.push(`(${any.join(" OR ")})`);
  }
  return {
    text: templates.search.replace("{{filters}}", filters).replace(
      "{{match}}",
      match.join(" AND "),
    ),
    params,
  };
}

function isDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}
