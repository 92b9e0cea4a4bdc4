/**
 * Job filters as the API takes them (query string or JSON body), checked and
 * turned into storage list parameters.
 *
 * @module
 */
import { isJobState, type JobState } from "../job_state.ts";
import type { ListParams } from "../storage/storage.ts";
import { badRequest } from "./http_errors.ts";

/** A filter over jobs: what `GET /api/jobs` and bulk actions accept. */
export interface JobFilter {
  /** Only jobs in this state. */
  state?: JobState;
  /** Only jobs of this queue. */
  queue?: string;
  /** Only jobs of this method. */
  method?: string;
  /** An id or id prefix, a method, `key:value` of a top-level arg, or a substring of the args. */
  search?: string;
  /** Created at or after. */
  from?: Date;
  /** Created before. */
  to?: Date;
}

/** Default and largest page sizes of `GET /api/jobs`. */
export const PAGE_LIMITS = { default: 50, max: 1000 } as const;

const FILTER_KEYS = ["state", "queue", "method", "search", "from", "to"] as const;

/** Read and check a filter from plain string values (`undefined` / empty = absent). */
export function parseFilter(raw: Record<string, unknown>): JobFilter {
  const out: JobFilter = {};
  for (const key of Object.keys(raw)) {
    if (!(FILTER_KEYS as readonly string[]).includes(key)) {
      throw badRequest(`unknown filter field "${key}" (known: ${FILTER_KEYS.join(", ")})`);
    }
  }
  const str = (key: string, max: number): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v !== "string" || v.length > max) {
      throw badRequest(`${key}: expected a string of at most ${max} characters`);
    }
    return v;
  };
  const state = str("state", 20);
  if (state !== undefined) {
    if (!isJobState(state)) throw badRequest(`state: unknown job state "${state}"`);
    out.state = state;
  }
  const queue = str("queue", 100);
  if (queue !== undefined) out.queue = queue;
  const method = str("method", 200);
  if (method !== undefined) out.method = method;
  const search = str("search", 200)?.trim();
  if (search) out.search = search;
  const from = str("from", 40);
  if (from !== undefined) out.from = parseDate("from", from);
  const to = str("to", 40);
  if (to !== undefined) out.to = parseDate("to", to);
  return out;
}

/** Read `limit` and `cursor` of a page. */
export function parsePage(
  raw: { limit?: string; cursor?: string },
): Pick<ListParams, "limit" | "cursor"> {
  let limit: number = PAGE_LIMITS.default;
  if (raw.limit !== undefined && raw.limit !== "") {
    limit = Number(raw.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_LIMITS.max) {
      throw badRequest(`limit: expected an integer 1..${PAGE_LIMITS.max}, got "${raw.limit}"`);
    }
  }
  const cursor = raw.cursor ? raw.cursor : null;
  if (cursor !== null && cursor.length > 200) throw badRequest("cursor: too long");
  return { limit, cursor };
}

function parseDate(key: string, value: string): Date {
  const d = /^\d+$/.test(value) ? new Date(Number(value)) : new Date(value);
  if (!Number.isFinite(d.getTime())) {
    throw badRequest(`${key}: expected an ISO date or epoch ms, got "${value}"`);
  }
  return d;
}
