import assert from "node:assert/strict";
import { IllegalTransitionError } from "../src/errors.ts";
import { createJob, type Job } from "../src/job.ts";
import { ALL_STATES, JobState } from "../src/job_state.ts";
import {
  applyTransition,
  canTransition,
  decide,
  DEFAULT_TTLS,
  LEGAL_MOVES,
  type Outcome,
} from "../src/transitions.ts";

const T0 = new Date("2026-01-01T00:00:00Z");
const later = new Date(T0.getTime() + 1_000);
const err = { name: "Error", message: "boom" };

function inState(state: JobState, over: Partial<Job> = {}): Job {
  const job = createJob({ method: "m", args: null, now: T0, maxAttempts: 3 });
  Object.assign(job, { state, attempts: state === JobState.Processing ? 1 : 0 }, over);
  if (state === JobState.Processing) {
    Object.assign(job, { lockedBy: "s", lockedUntil: later, startedAt: T0 });
  }
  return job;
}

// Every outcome, the states it is legal from, and the state it leads to.
const TABLE: { outcome: Outcome; from: JobState[]; to: JobState }[] = [
  {
    outcome: { type: "succeeded", result: 1 },
    from: [JobState.Processing],
    to: JobState.Succeeded,
  },
  {
    outcome: { type: "failed", error: err },
    from: [JobState.Processing],
    to: JobState.AwaitingRetry,
  },
  {
    outcome: { type: "failed", error: err, retryable: false },
    from: [JobState.Processing],
    to: JobState.Failed,
  },
  { outcome: { type: "released" }, from: [JobState.Processing], to: JobState.Enqueued },
  { outcome: { type: "lock_expired" }, from: [JobState.Processing], to: JobState.Enqueued },
  {
    outcome: { type: "deleted" },
    from: ALL_STATES.filter((s) => s !== JobState.Deleted),
    to: JobState.Deleted,
  },
  {
    outcome: { type: "requeued" },
    from: [JobState.Succeeded, JobState.Failed, JobState.Deleted],
    to: JobState.Enqueued,
  },
];

for (const row of TABLE) {
  for (const from of ALL_STATES) {
    const legal = row.from.includes(from);
    Deno.test(`decide ${row.outcome.type}: ${from} → ${legal ? row.to : "rejected"}`, () => {
      const job = inState(from);
      if (!legal) {
        assert.throws(() => decide(job, row.outcome, { now: later }), IllegalTransitionError);
        return;
      }
      const t = decide(job, row.outcome, { now: later, server: "srv", random: () => 0 });
      assert.equal(t.state, row.to);
      assert.ok(canTransition(from, t.state), `${from} → ${t.state} is in LEGAL_MOVES`);
      assert.equal(t.entry.state, row.to);
      assert.equal(t.entry.at, later);
      assert.equal(t.entry.server, "srv");
    });
  }
}

Deno.test("LEGAL_MOVES lists exactly the moves decide can make, plus the backend moves", () => {
  const made = new Set<string>();
  for (const row of TABLE) for (const from of row.from) made.add(`${from}>${row.to}`);
  made.add("Enqueued>Processing"); // fetch, done by backends
  made.add("Scheduled>Enqueued"); // promotion, done by backends
  made.add("AwaitingRetry>Enqueued");
  made.add("Processing>Failed"); // exhausted retries
  const legal = new Set(
    Object.entries(LEGAL_MOVES).flatMap(([from, tos]) => tos.map((to) => `${from}>${to}`)),
  );
  assert.deepEqual([...legal].sort(), [...made].sort());
});

Deno.test("retries back off exponentially, then fail when attempts run out", () => {
  const delays: number[] = [];
  let job = inState(JobState.Processing, { maxAttempts: 4 });
  for (let attempt = 1; attempt <= 4; attempt++) {
    job.attempts = attempt;
    job.state = JobState.Processing;
    const t = decide(job, { type: "failed", error: err }, {
      now: T0,
      policy: { baseMs: 100, maxMs: 250, jitter: 0 },
    });
    if (attempt < 4) {
      assert.equal(t.state, JobState.AwaitingRetry);
      delays.push(t.runAt.getTime() - T0.getTime());
    } else {
      assert.equal(t.state, JobState.Failed);
      assert.equal(t.expiresAt?.getTime(), T0.getTime() + DEFAULT_TTLS.failedMs);
    }
    job = applyTransition(job, t);
  }
  assert.deepEqual(delays, [100, 200, 250]);
  assert.equal(job.history.filter((h) => h.error?.message === "boom").length, 4);
});

Deno.test("jitter shortens the delay by at most its fraction", () => {
  const job = inState(JobState.Processing);
  const d = (r: number) =>
    decide(job, { type: "failed", error: err }, {
      now: T0,
      policy: { baseMs: 1_000, jitter: 0.5 },
      random: () => r,
    }).runAt.getTime() - T0.getTime();
  assert.equal(d(0), 1_000);
  assert.equal(d(0.999999), 500);
});

Deno.test("a job's own backoff overrides the worker's policy", () => {
  const job = inState(JobState.Processing, { backoff: { type: "fixed", delayMs: 42 } });
  const t = decide(job, { type: "failed", error: err }, { now: T0, policy: { baseMs: 9_999 } });
  assert.equal(t.runAt.getTime() - T0.getTime(), 42);
});

Deno.test("a custom backoff function gets the attempt and the error", () => {
  const job = inState(JobState.Processing, { attempts: 2 });
  const t = decide(job, { type: "failed", error: err }, {
    now: T0,
    policy: { backoff: (attempt, e) => attempt * 10 + e.message.length },
  });
  assert.equal(t.runAt.getTime() - T0.getTime(), 24);
});

Deno.test("released gives the attempt back; lock_expired keeps it and fails when spent", () => {
  const running = inState(JobState.Processing, { attempts: 3, maxAttempts: 3 });
  assert.equal(decide(running, { type: "released" }, { now: T0 }).attempts, 2);
  const rescued = decide(running, { type: "lock_expired" }, { now: T0 });
  assert.equal(rescued.state, JobState.Failed);
  const early = inState(JobState.Processing, { attempts: 1, maxAttempts: 3 });
  const back = decide(early, { type: "lock_expired" }, { now: T0 });
  assert.equal(back.state, JobState.Enqueued);
  assert.equal(back.attempts, 1);
});
