/** The dispatcher on its own, with a fake executor: what goes out for each way a run ends. */
import assert from "node:assert/strict";
import { systemClock } from "../../src/clock.ts";
import { JobState } from "../../src/job_state.ts";
import type { Job } from "../../src/job.ts";
import { Dispatcher, type Run } from "../../src/server/dispatcher.ts";
import type { AbortReason, Executor, RunResult, WireJob } from "../../src/server/protocol.ts";
import { DEFAULT_TTLS, type TransitionItem } from "../../src/transitions.ts";
import { defineWorker, WorkerRegistry } from "../../src/worker.ts";
import { fetchedJobs, SERVER } from "./_storage_wrappers.ts";

class FakeExecutor implements Executor {
  dispatched: WireJob[][] = [];
  aborted: [string[], AbortReason][] = [];
  killed: string[] = [];
  onKill: (id: string) => void = () => {};
  start() {
    return Promise.resolve();
  }
  dispatch(jobs: WireJob[]) {
    this.dispatched.push(jobs);
  }
  abort(ids: readonly string[], reason: AbortReason) {
    this.aborted.push([[...ids], reason]);
  }
  kill(id: string) {
    this.killed.push(id);
    this.onKill(id);
  }
  stop() {
    return Promise.resolve();
  }
}

const registry = new WorkerRegistry().register(
  defineWorker({ name: "noop", execute: () => null, retry: { maxAttempts: 2, backoff: "none" } }),
);

function setup(opts: { timeoutGraceMs?: number; jobTimeoutMs?: number } = {}) {
  const settled: [TransitionItem, Run][] = [];
  const dropped: Run[] = [];
  const progress: [string, number][] = [];
  const logs: string[] = [];
  const logger = {
    debug() {},
    info: (m: string) => logs.push(m),
    warn: (m: string) => logs.push(m),
    error: (m: string) => logs.push(m),
  };
  const d = new Dispatcher({
    registry,
    serverName: SERVER,
    ttls: DEFAULT_TTLS,
    jobTimeoutMs: opts.jobTimeoutMs ?? 60_000,
    timeoutGraceMs: opts.timeoutGraceMs ?? 1_000,
    clock: systemClock,
    logger,
    output: {
      settled: (item, run) => settled.push([item, run]),
      dropped: (run) => dropped.push(run),
      progress: (job, p) => progress.push([job.id, p]),
    },
  });
  const ex = new FakeExecutor();
  d.use(ex);
  return { d, ex, settled, dropped, progress, logs };
}

function result(d: Dispatcher, r: RunResult) {
  d.hooks.onResults([r]);
}

Deno.test("start sends every job in one dispatch, as wire jobs", async () => {
  const { jobs } = await fetchedJobs(3);
  const { d, ex } = setup();
  d.start(jobs);
  assert.equal(ex.dispatched.length, 1);
  assert.deepEqual(ex.dispatched[0].map((w) => w.id), jobs.map((j) => j.id));
  assert.deepEqual(ex.dispatched[0][0], {
    id: jobs[0].id,
    method: "noop",
    args: { i: 0 },
    queue: "default",
    priority: 0,
    attempt: 1,
    maxAttempts: jobs[0].maxAttempts,
    createdAt: jobs[0].createdAt.getTime(),
    traceContext: null,
  });
  assert.equal(d.size, 3);
  assert.deepEqual([...d.ids()], jobs.map((j) => j.id));
  d.close();
});

Deno.test("ok, error, not-retryable error and crash become decided, guarded transitions", async () => {
  const { jobs } = await fetchedJobs(4);
  const { d, settled, dropped } = setup();
  d.start(jobs);
  result(d, { id: jobs[0].id, kind: "ok", value: { v: 1 } });
  result(d, { id: jobs[1].id, kind: "error", error: { name: "Error", message: "boom" } });
  result(d, {
    id: jobs[2].id,
    kind: "error",
    error: { name: "ValidationError", message: "bad args" },
    retryable: false,
  });
  result(d, { id: jobs[3].id, kind: "crashed", message: "oops" });
  assert.equal(dropped.length, 0);
  assert.equal(d.size, 0);
  const states = settled.map(([item]) => item.next.state);
  assert.deepEqual(states, [
    JobState.Succeeded,
    JobState.AwaitingRetry,
    JobState.Failed,
    JobState.AwaitingRetry,
  ]);
  assert.deepEqual(settled[0][0].next.result, { v: 1 });
  assert.equal(settled[3][0].next.error!.name, "WorkerCrashedError");
  for (const [item, run] of settled) {
    assert.deepEqual(item.guard, { state: JobState.Processing, lockedBy: SERVER });
    assert.equal(item.id, run.job.id);
  }
  d.close();
});

Deno.test("a cancelled or lost run is aborted and its result dropped; a late result is ignored", async () => {
  const { jobs } = await fetchedJobs(3);
  const { d, ex, settled, dropped } = setup();
  d.start(jobs);
  assert.equal(d.cancel(jobs[0].id), true);
  assert.equal(d.cancel("not-running"), false);
  d.lost([jobs[1].id]);
  assert.deepEqual(ex.aborted, [[[jobs[0].id], "cancelled"], [[jobs[1].id], "lock lost"]]);
  result(d, { id: jobs[0].id, kind: "ok", value: null });
  result(d, { id: jobs[1].id, kind: "ok", value: null });
  result(d, { id: jobs[1].id, kind: "ok", value: null }); // late duplicate
  assert.deepEqual(dropped.map((r) => r.job.id), [jobs[0].id, jobs[1].id]);
  assert.equal(settled.length, 0);
  assert.equal(d.size, 1);
  d.close();
});

Deno.test("a timeout aborts the signal, then kills after the grace; the job fails with JobTimeoutError", async () => {
  const { jobs } = await fetchedJobs(1);
  const { d, ex, settled } = setup({ jobTimeoutMs: 1, timeoutGraceMs: 1 });
  const killed = Promise.withResolvers<void>();
  ex.onKill = (id) => {
    result(d, { id, kind: "terminated" });
    killed.resolve();
  };
  d.start(jobs);
  await killed.promise;
  assert.deepEqual(ex.aborted, [[[jobs[0].id], "timeout"]]);
  assert.deepEqual(ex.killed, [jobs[0].id]);
  assert.equal(settled.length, 1);
  assert.equal(settled[0][0].next.error!.name, "JobTimeoutError");
  d.close();
});

Deno.test("shutdown: aborted runs that return are released; the rest are handed back", async () => {
  const { jobs } = await fetchedJobs(3);
  const { d, ex, settled, dropped } = setup();
  d.start(jobs);
  d.cancel(jobs[2].id);
  d.abortAll();
  assert.deepEqual(ex.aborted.at(-1), [jobs.slice(0, 2).map((j) => j.id), "shutdown"]);
  result(d, { id: jobs[0].id, kind: "error", error: { name: "AbortError", message: "x" } });
  d.releaseRemaining();
  assert.equal(d.size, 0);
  assert.deepEqual(settled.map(([i]) => [i.id, i.next.state, i.next.attempts]), [
    [jobs[0].id, JobState.Enqueued, 0],
    [jobs[1].id, JobState.Enqueued, 0],
  ]);
  // Cancelled while running: not ours to hand back; its result was dropped.
  assert.deepEqual(dropped.map((r) => r.job.id), [jobs[2].id]);
  assert.equal(await d.waitIdle(10), true);
  d.close();
});

Deno.test("a job fetched again while its stale run is still here replaces it; the stale run is dropped", async () => {
  const { jobs } = await fetchedJobs(1);
  const { d, ex, dropped } = setup();
  d.start(jobs);
  const again: Job = { ...jobs[0], attempts: 2 };
  d.start([again]);
  assert.deepEqual(ex.aborted, [[[jobs[0].id], "lock lost"]]);
  assert.equal(dropped.length, 1);
  assert.equal(d.size, 1);
  d.close();
});

Deno.test("progress is passed on only for runs not aborted", async () => {
  const { jobs } = await fetchedJobs(2);
  const { d, progress } = setup();
  d.start(jobs);
  d.hooks.onProgress(jobs[0].id, 40);
  d.cancel(jobs[1].id);
  d.hooks.onProgress(jobs[1].id, 50);
  d.hooks.onProgress("unknown", 60);
  assert.deepEqual(progress, [[jobs[0].id, 40]]);
  d.close();
});
