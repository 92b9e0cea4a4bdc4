/**
 * Batch isolation through a whole server: jobs whose result the storage refuses fail alone,
 * each other job of the same result batch is recorded as Succeeded and runs once.
 */
import assert from "node:assert/strict";
import { JobState } from "../../src/job_state.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { defineWorker, WorkerRegistry } from "../../src/worker.ts";
import { openTestStorage } from "../_helpers/postgres.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { allJobs, fetchCount, withServer } from "./_server.ts";
import { refusing } from "./_storage_wrappers.ts";

const runs = new Map<string, number>();
const registry = new WorkerRegistry().register(
  defineWorker({
    name: "echo",
    execute: (args: { r?: unknown; poison?: "bigint" }, ctx) => {
      runs.set(ctx.job.id, (runs.get(ctx.job.id) ?? 0) + 1);
      // Made here: a BigInt cannot be enqueued as args.
      if (args.poison === "bigint") return { n: 1n };
      return args.r;
    },
  }),
);

async function runBatch(
  storage: Storage,
  args: { r?: unknown; poison?: "bigint" }[],
  poisonedIds?: (ids: string[]) => void,
): Promise<void> {
  const { JobClient } = await import("../../src/client.ts");
  const client = new JobClient(storage);
  const jobs = await client.enqueueMany(args.map((a) => ({ worker: "echo", args: a })));
  poisonedIds?.(jobs.map((j) => j.id));
  // One fetch takes them all, so their results finish together and share batches.
  await withServer(
    { storage, execution: "inline", workers: registry, concurrency: 50, fetchBatchSize: 50 },
    async () => {
      await waitUntil(async () => {
        const s = (await storage.counts()).byState;
        return s.Succeeded + s.Failed === args.length;
      }, { timeoutMs: 10_000, what: "every job final" });
    },
  );
}

Deno.test("memory: 3 refused results among 20 fail alone; the 20 succeed and ran once", async () => {
  const poisoned = new Set<string>();
  const inner = new MemoryStorage();
  const { storage } = refusing(inner, { poisoned });
  const args = Array.from({ length: 23 }, (_, i) => ({ r: { i } }));
  await runBatch(storage, args, (ids) => [2, 11, 19].forEach((i) => poisoned.add(ids[i])));
  const jobs = await allJobs(inner);
  assert.equal(jobs.length, 23);
  for (const job of jobs) {
    assert.equal(runs.get(job.id), 1, `job ${job.id} ran once`);
    assert.equal(fetchCount(job), 1);
    if (poisoned.has(job.id)) {
      assert.equal(job.state, JobState.Failed);
      assert.equal(job.error!.name, "StorageError");
      assert.match(job.error!.message, /could not be recorded: value refused in job/);
      assert.equal(job.attempts, 1, "not retried");
    } else {
      assert.equal(job.state, JobState.Succeeded);
    }
  }
});

Deno.test("postgres: refused results (a wrapper's picks, a BigInt) fail alone; the rest succeed", async () => {
  const h = await openTestStorage();
  try {
    const poisoned = new Set<string>();
    const { storage } = refusing(h.storage, { poisoned });
    const args: { r?: unknown; poison?: "bigint" }[] = Array.from(
      { length: 20 },
      (_, i) => ({ r: `ok ${i}` }),
    );
    args.splice(5, 0, { r: "refused" });
    args.splice(12, 0, { poison: "bigint" });
    args.splice(20, 0, { r: "refused" });
    await runBatch(storage, args, (ids) => [5, 20].forEach((i) => poisoned.add(ids[i])));
    const jobs = await allJobs(h.storage);
    assert.equal(jobs.length, 23);
    const failed = jobs.filter((j) => j.state === JobState.Failed);
    assert.deepEqual(
      failed.map((j) => (j.args as { r?: string }).r ?? "bigint").sort(),
      ["bigint", "refused", "refused"],
    );
    for (const j of failed) {
      // Refused by the storage (or earlier, where results are checked, if they are).
      assert.ok(j.error!.message.length > 0);
      assert.equal(j.attempts, 1, "not retried");
    }
    for (const j of jobs) {
      assert.equal(runs.get(j.id), 1, `job ${j.id} ran once`);
      assert.equal(fetchCount(j), 1);
      if (j.state === JobState.Succeeded) assert.match(String(j.result), /^ok \d+$/);
    }
  } finally {
    await h.cleanup();
  }
});
