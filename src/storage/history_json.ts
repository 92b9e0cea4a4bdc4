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

/**
 * The JSON text of job histories, as SQL backends store them. The jobs of a bulk enqueue
 * mostly share their one entry (same state, time and reason): one instance per batch writes
 * a run of equal single entries once, instead of a `JSON.stringify` (and an ISO date) per job.
 */
export class HistoryTexts {
  #last: HistoryEntry | undefined;
  #lastText = "";

  /** The JSON text of `history`. */
  of(history: readonly HistoryEntry[]): string {
    const e = history.length === 1 ? history[0] : undefined;
    const last = this.#last;
    if (
      e !== undefined && last !== undefined && e.error === undefined &&
      e.state === last.state && e.at.getTime() === last.at.getTime() &&
      e.reason === last.reason && e.server === last.server
    ) return this.#lastText;
    const text = JSON.stringify(history);
    if (e !== undefined && e.error === undefined) {
      this.#last = e;
      this.#lastText = text;
    } else this.#last = undefined;
    return text;
  }
}
