/**
 * A job's history entry as SQL backends store it (JSON, times as ISO text), read back.
 *
 * @module
 */
import type { HistoryEntry, JobError } from "../job.ts";
import type { JobState } from "../job_state.ts";

/** A stored history entry (parsed JSON) as a {@link HistoryEntry}. */
export function historyEntryFromJson(raw: Record<string, unknown>): HistoryEntry {
  const e: HistoryEntry = { state: raw.state as JobState, at: new Date(raw.at as string) };
  if (raw.reason !== undefined) e.reason = raw.reason as string;
  if (raw.server !== undefined) e.server = raw.server as string;
  if (raw.error !== undefined) e.error = raw.error as JobError;
  return e;
}
