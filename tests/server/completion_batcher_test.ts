/** The completion batcher on its own: bounded batches, transient retries, batch isolation. */
import assert from "node:assert/strict";
import { systemClock } from "../../src/clock.ts";
import { JobState } from "../../src/job_state.ts";
import { CompletionBatcher, type WrittenBatch } from "../../src/server/completion_batcher.ts";
import { decideItem } from "../../src/server/outcome.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { DEFAULT_TTLS, type TransitionItem } from "../../src/transitions.ts";
import type { Job } from "../../src/job.ts";
import { fetchedJobs, refusing, SERVER, succeeded } from "./_storage_wrappers.ts";

function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (msg: string) => lines.push({ level, msg });
  return {
    lines,
    logger: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
  };
}

function batcher(
  storage: Storage,
  opts: { maxBatch?: number; retryMs?: number; minBatch?: number; busy?: () => boolean } = {},
) {
  const written: WrittenBatch<Job>[] = [];
  const { lines, logger } = recordingLogger();
  const b = new CompletionBatcher<Job>({
    storage,
    clock: systemClock,
    logger,
    onWritten: (batch) => written.push(batch),
    poisoned: (_item: TransitionItem, job: Job, err: unknown) =>
      decideItem(
        job,
        {
          type: "failed",
          error: { name: "StorageError", message: String(err) },
          retryable: false,
        },
        new Date(),
        undefined,
        { serverName: SERVER, ttls: DEFAULT_TTLS },
      ),
    ...opts,
  });
  return { b, written, lines };
}

Deno.test("results added in one turn go out in one write, at most maxBatch per write, in order", async () => {
  const { storage: inner, jobs } = await fetchedJobs(25);
  const { storage, log } = refusing(inner);
  const { b, written } = batcher(storage, { maxBatch: 10 });
  for (const job of jobs) b.add(succeeded(job, { ok: job.id }), job);
  assert.equal(b.pending, 25);
  assert.equal(await b.drain(), 0);
  assert.deepEqual(log.transitions.map((t) => t.length), [10, 10, 5]);
  assert.deepEqual(log.transitions.flat(), jobs.map((j) => j.id));
  assert.equal(written.length, 3);
  assert.ok(written.every((w) => w.applied.every(Boolean)));
  assert.equal(b.pending, 0);
  assert.deepEqual([...b.pendingIds()], []);
  for (const job of jobs) {
    assert.equal((await inner.get({ id: job.id }))!.state, JobState.Succeeded);
  }
});

Deno.test("a transient failure retries the whole batch; nothing is written twice or lost", async () => {
  const { storage: inner, jobs } = await fetchedJobs(6);
  const { storage, log } = refusing(inner, { transientFailures: 2 });
  const { b, written, lines } = batcher(storage, { retryMs: 5 });
  for (const job of jobs) b.add(succeeded(job), job);
  assert.equal(await b.drain(), 0);
  b.close();
  // Two failed calls of the whole batch, then one that succeeds: no splitting.
  assert.deepEqual(log.transitions.map((t) => t.length), [6, 6, 6]);
  assert.equal(written.length, 1);
  assert.equal(written[0].items.length, 6);
  assert.equal(lines.filter((l) => l.msg.includes("could not record 6 job result(s)")).length, 2);
});

Deno.test("a batch refused for one item is split: that job fails alone, the others are written", async () => {
  const { storage: inner, jobs } = await fetchedJobs(20);
  const poisoned = new Set([jobs[3].id, jobs[17].id]);
  const { storage, log } = refusing(inner, { poisoned });
  const { b, written, lines } = batcher(storage);
  for (const job of jobs) b.add(succeeded(job, { n: 1 }), job);
  assert.equal(await b.drain(), 0);
  for (const job of jobs) {
    const j = (await inner.get({ id: job.id }))!;
    if (poisoned.has(job.id)) {
      assert.equal(j.state, JobState.Failed);
      assert.match(j.error!.message, /value refused in job/);
    } else assert.equal(j.state, JobState.Succeeded, job.id);
  }
  // Every job was handed on exactly once, the poisoned ones as their Failed transition.
  const out = written.flatMap((w) => w.items);
  assert.deepEqual(out.map((i) => i.id).sort(), jobs.map((j) => j.id).sort());
  for (const it of out) {
    assert.equal(it.next.state, poisoned.has(it.id) ? JobState.Failed : JobState.Succeeded);
  }
  // Isolation costs a few calls per poisoned item (bisection), not one per item.
  assert.ok(
    log.transitions.length <= 2 + 2 * 2 * Math.ceil(Math.log2(20)),
    `${log.transitions.length}`,
  );
  // One log line per poisoned job.
  const warned = lines.filter((l) => l.level === "warn" && l.msg.includes("could not be recorded"));
  assert.equal(warned.length, 2);
});

Deno.test("a failure that is not the item's (its Failed write is refused too) is retried, not failed", async () => {
  const { storage: inner, jobs } = await fetchedJobs(3);
  let refuse = true;
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "transition") {
        return (p: Parameters<Storage["transition"]>[0]) =>
          refuse ? Promise.reject(new Error("schema missing")) : target.transition(p);
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const { b } = batcher(storage, { retryMs: 5 });
  for (const job of jobs) b.add(succeeded(job), job);
  assert.equal(await b.drain(Date.now() + 50), 3, "kept for a retry");
  refuse = false;
  assert.equal(await b.drain(), 0);
  b.close();
  for (const job of jobs) {
    assert.equal((await inner.get({ id: job.id }))!.state, JobState.Succeeded);
  }
});

Deno.test("at most two writes are in flight; items that come meanwhile wait for a free one", async () => {
  const { storage: inner, jobs } = await fetchedJobs(12);
  let inFlight = 0, most = 0;
  const storage = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "transition") {
        return async (p: Parameters<Storage["transition"]>[0]) => {
          most = Math.max(most, ++inFlight);
          await new Promise((r) => setTimeout(r, 10));
          inFlight--;
          return target.transition(p);
        };
      }
      const v = Reflect.get(target, prop, receiver);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const { b, written } = batcher(storage, { maxBatch: 3 });
  for (const job of jobs) b.add(succeeded(job), job);
  assert.equal(await b.drain(), 0);
  assert.equal(most, 2);
  assert.deepEqual(written.map((w) => w.items.length), [3, 3, 3, 3]);
});

Deno.test("while the fetch stage is busy, fewer than minBatch results wait; flush or an idle fetch sends them", async () => {
  const { storage: inner, jobs } = await fetchedJobs(12);
  const { storage, log } = refusing(inner);
  let busy = true;
  const { b } = batcher(storage, { minBatch: 5, busy: () => busy });
  const turn = () => new Promise((r) => setTimeout(r, 0));
  for (const job of jobs.slice(0, 4)) b.add(succeeded(job, { ok: job.id }), job);
  await turn();
  assert.equal(log.transitions.length, 0, "4 < minBatch wait while fetching");
  b.add(succeeded(jobs[4], {}), jobs[4]);
  await turn();
  assert.deepEqual(log.transitions.map((t) => t.length), [5], "minBatch reached: written");
  b.add(succeeded(jobs[5], {}), jobs[5]);
  await turn();
  assert.equal(log.transitions.length, 1);
  b.flush();
  await turn();
  assert.deepEqual(log.transitions.map((t) => t.length), [5, 1], "flush sends what waits");
  busy = false;
  b.add(succeeded(jobs[6], {}), jobs[6]);
  await turn();
  assert.deepEqual(log.transitions.map((t) => t.length), [5, 1, 1], "not busy: at once");
  busy = true;
  for (const job of jobs.slice(7)) b.add(succeeded(job, {}), job);
  assert.equal(await b.drain(), 0, "drain writes what waits, busy or not");
  assert.deepEqual(log.transitions.flat(), jobs.map((j) => j.id));
});
