/**
 * The SQLite read verbs: a job by id, the state counts, and the list, whose query is built
 * for the given set of filters (each combination is its own cached statement). The search
 * rule is the one of `src/storage/search.ts`, expressed in SQL.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { countsFromRows, listLimit } from "../contract_rules.ts";
import { parseSearch } from "../search.ts";
import { type JobCounts, type JobPage, type ListParams, SEARCH_SCAN_LIMIT } from "../storage.ts";
import type { Connection } from "./connection.ts";
import { QUERIES } from "./queries.ts";
import { rowToJob, type SqlValue } from "./rows.ts";

/** One job by id, or `null`. */
export function getJob(conn: Connection, id: string): Job | null {
  const row = conn.stmt(QUERIES.getJob).get(id);
  return row ? rowToJob(row) : null;
}

/** One page of jobs matching `params`. */
export function listJobs(conn: Connection, params: ListParams): JobPage {
  const limit = listLimit(params.limit);
  const q = buildListQuery(QUERIES.listJobs, params, limit);
  const rows = conn.stmt(q.text).all(...q.params);
  const jobs = rows.slice(0, limit).map(rowToJob);
  return { jobs, nextCursor: rows.length > limit ? jobs[jobs.length - 1].id : null };
}

/** Jobs per queue and state. */
export function countJobs(conn: Connection): JobCounts {
  return countsFromRows(conn.stmt(QUERIES.counts).all());
}

// The WHERE term of jobs_state_id_idx and jobs_queue_state_id_idx, verbatim (migration 0004).
const INDEXED_STATES = "state <> 'Processing'";

/** A ready list statement. */
export interface ListQuery {
  /** SQL text. */
  text: string;
  /** Its parameters; `?1` is the row count. */
  params: SqlValue[];
}

/** The list statement for `p`, fetching `limit + 1` rows. */
export function buildListQuery(template: string, p: ListParams, limit: number): ListQuery {
  const params: SqlValue[] = [limit + 1];
  const bind = (v: SqlValue) => `?${params.push(v)}`;
  const filters: string[] = [];
  if (p.state) {
    filters.push(`state = ${bind(p.state)}`);
    // Repeat the WHERE of the partial dashboard indexes so that SQLite may use them.
    if (p.state !== "Processing") filters.push(INDEXED_STATES);
  }
  if (p.queue) filters.push(`queue = ${bind(p.queue)}`);
  if (p.method) filters.push(`method = ${bind(p.method)}`);
  if (p.cursor) filters.push(`id < ${bind(p.cursor)}`);
  const bounded: string[] = [];
  if (p.from) bounded.push(`created_at >= ${bind(p.from.getTime())}`);
  if (p.to) bounded.push(`created_at < ${bind(p.to.getTime())}`);
  const search = parseSearch(p.search);
  if (search) {
    // LIKE is case-insensitive for ASCII and, unlike lower(), copies nothing per row.
    const like = bind(`%${search.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const any = [
      `substr(id, 1, ${bind(search.text.length)}) = ${bind(search.text)}`,
      `method LIKE ${like} ESCAPE '\\'`,
      `args LIKE ${like} ESCAPE '\\'`,
    ];
    if (search.field) {
      // The key is restricted to [A-Za-z0-9_$.-] by parseSearch, so its JSON text is itself:
      // rows without it are skipped before any JSON is parsed. The same holds for a value of
      // plain printable ASCII.
      const { key, value } = search.field;
      const path = bind(`$."${key}"`);
      const cheap = [`instr(args, ${bind(`"${key}"`)}) > 0`];
      if (/^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value)) {
        cheap.push(
          `args LIKE ${bind(`%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)} ESCAPE '\\'`,
        );
      }
      any.push(
        `(${cheap.join(" AND ")} AND json_type(args) = 'object' AND ` +
          `lower(CASE json_type(args, ${path}) WHEN 'text' THEN args ->> ${path} ` +
          `ELSE args -> ${path} END) = ${bind(value)})`,
      );
    }
    bounded.push(`(${any.join(" OR ")})`);
  }
  const text = template
    .replace("{{filters}}", filters.length ? filters.join(" AND ") : "1")
    .replace("{{scan}}", bounded.length ? `LIMIT ${SEARCH_SCAN_LIMIT}` : "")
    .replace("{{bounded}}", bounded.length ? bounded.join(" AND ") : "1");
  return { text, params };
}
