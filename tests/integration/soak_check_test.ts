/**
 * The fault soak's verdict (bench/soak_check.ts) on hand-made outcomes: a job planned to
 * succeed may end Failed only when its last attempt's server was killed holding it.
 */
import assert from "node:assert/strict";
import { judge } from "../../bench/soak_check.ts";
import type { HistoryEntry, Job } from "../../src/job.ts";

const at = new Date("2026-01-01T00:00:00Z");
const step = (state: string, reason: string, server?: string): HistoryEntry =>
  ({ state, at, reason, server }) as HistoryEntry;

// A job held by `holders` in turn; each lock lapsed, the last one after every attempt.
function spentJob(id: string, holders: string[]): Job {
  const history = [step("Enqueued", "enqueued")];
  holders.forEach((server, i) => {
    history.push(step("Processing", "fetched", server));
    history.push(
      i < holders.length - 1
        ? step("Enqueued", `rescued: lock of ${server} expired`, "rescuer")
        : step("Failed", `lock expired after ${holders.length} of ${holders.length} attempts`),
    );
  });
  return { id, method: "soak.work", state: "Failed", history } as unknown as Job;
}

function verdictOf(job: Job, killed: string[]) {
  return judge({
    planned: new Map([[job.id, { permanent: false }]]),
    jobs: [job],
    executions: [],
    killed: new Set(killed),
    inFlight: new Set(killed.map((s) => `${s} ${job.id}`)),
    tickMethod: "soak.tick",
  });
}

Deno.test("a job whose every attempt was held by a killed server may end Failed", () => {
  const job = spentJob("j1", ["doomed-1", "doomed-2", "doomed-3"]);
  const v = verdictOf(job, ["doomed-1", "doomed-2", "doomed-3"]);
  assert.deepEqual(v.violations, []);
  assert.equal(v.failed, 1);
  assert.equal(v.failedByKills, 1);
  assert.equal(v.reRuns, 2);
});

Deno.test("a job planned to succeed that failed on a live server's lapsed lock is a violation", () => {
  const job = spentJob("j2", ["doomed-1", "doomed-2", "healthy"]);
  const v = verdictOf(job, ["doomed-1", "doomed-2"]);
  assert.equal(v.failedByKills, 0);
  assert.equal(v.violations.length, 1);
  assert.match(v.violations[0], /^job j2 ended Failed, expected Succeeded: .*healthy/);
});
