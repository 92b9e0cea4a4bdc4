/**
 * Job filters as command-line options, and the walk over every job a filter
 * matches (page by page, so a million matching jobs never sit in memory at once).
 *
 * @module
 */
import { ALL_STATES, type JobState } from "../job_state.ts";
import type { ListParams } from "../storage/storage.ts";
import { UsageError } from "./io.ts";

/** Filter options of `qml jobs …`. */
export interface FilterOptions {
  /** A job state, any case (`failed`, `Failed`). */
  state?: string;
  /** A queue name. */
  queue?: string;
  /** A method name. */
  method?: string;
  /** Search text (id prefix, method, `key:value` in args, or a substring of args). */
  search?: string;
}

/** The state named by `text`, any case. */
export function parseState(text: string): JobState {
  const state = ALL_STATES.find((s) => s.toLowerCase() === text.toLowerCase());
  if (!state) {
    throw new UsageError(`--state: expected one of ${ALL_STATES.join(", ")}, got ${text}`);
  }
  return state;
}

/** List parameters of a filter (without the page). */
export function toListFilter(o: FilterOptions): Omit<ListParams, "limit" | "cursor"> {
  return {
    state: o.state === undefined ? undefined : parseState(o.state),
    queue: o.queue,
    method: o.method,
    search: o.search,
  };
}

/** Whether any filter option is set. */
export function hasFilter(o: FilterOptions): boolean {
  return [o.state, o.queue, o.method, o.search].some((v) => v !== undefined);
}
