/**
 * Storing new jobs in SQLite: runs of jobs without a unique key go in multi-row INSERTs
 * (fewer calls into the driver), a job with a key goes alone so that the statement's
 * change count says whether it was stored.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { JobState } from "../../job_state.ts";
import type { EnqueueResult } from "../storage.ts";
import type { Connection } from "./connection.ts";
import { CountDeltas } from "./job_counts.ts";
import { QUERIES } from "./queries.ts";
import { HistoryTexts } from "../history_json.ts";
import { JOB_PARAMS, pushJobParams, rowToJob, type SqlValue } from "./rows.ts";

/** Jobs per multi-row INSERT (23 parameters each, far below SQLite's 32,766). */
const ROWS_PER_INSERT = 64;

const insertTexts: string[] = [];
const tuple = `(${Array.from({ length: JOB_PARAMS }, () => "?").join(", ")})`;

function insertText(rows: number): string {
  return insertTexts[rows] ??= QUERIES.insertJobs.replace(
    "{{values}}",
    Array.from({ length: rows }, () => tuple).join(",\n  "),
  );
}

/**
 * Insert `jobs` in order and count them; call inside a write transaction. Pushes one result
 * per job to `out` and the queue of every stored Enqueued job to `ready`.
 */
export function insertJobs(
  conn: Connection,
  jobs: readonly Job[],
  out: EnqueueResult[],
  ready: Set<string>,
): void {
  const counts = new CountDeltas();
  const histories = new HistoryTexts();
  const stored = (job: Job) => {
    out.push({ job, created: true });
    counts.add(job.queue, job.state, 1);
    if (job.state === JobState.Enqueued) ready.add(job.queue);
  };
  let i = 0;
  while (i < jobs.length) {
    const first = jobs[i];
    if (first.uniqueKey !== null && first.uniqueKey !== undefined) {
      const params: SqlValue[] = [];
      pushJobParams(params, first, histories);
      if (Number(conn.stmt(insertText(1)).run(...params).changes) === 1) {
        stored(first);
      } else {
        const holder = conn.stmt(QUERIES.findLiveByUniqueKey).get(first.uniqueKey)!;
        out.push({ job: rowToJob(holder), created: false });
      }
      i++;
      continue;
    }
    let end = i;
    while (
      end < jobs.length && end - i < ROWS_PER_INSERT &&
      (jobs[end].uniqueKey === null || jobs[end].uniqueKey === undefined)
    ) end++;
    const params: SqlValue[] = [];
    for (let k = i; k < end; k++) pushJobParams(params, jobs[k], histories);
    conn.stmt(insertText(end - i)).run(...params);
    for (let k = i; k < end; k++) stored(jobs[k]);
    i = end;
  }
  counts.write(conn);
}
