/** Start errors, graceful stop, events, progress and recurring jobs. */
import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { JobClient } from "../../src/client.ts";
import { JobState } from "../../src/job_state.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { QmlEvent } from "../../src/events.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { allJobs, makeServer, MODES, withServer } from "./_server.ts";

const fixture = (name: string) => new URL(`../fixtures/workers/${name}`, import.meta.url);

for (const mode of MODES) {
  Deno.test(`[${mode}] a workers module that throws at import fails start() clearly`, async () => {
    const { server } = makeServer({ execution: mode, workers: fixture("throws_at_import.ts") });
    await assert.rejects(server.start(), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(
        err.message,
        /invalid workers: module .*throws_at_import\.ts failed to load: .*kaboom at import/,
      );
      return true;
    });
    assert.equal(server.state, "stopped");
    await server.stop();
  });

  Deno.test(`[${mode}] a workers module without a registry default export fails start()`, async () => {
    const { server } = makeServer({ execution: mode, workers: fixture("no_registry.ts") });
    await assert.rejects(server.start(), /must default-export a WorkerRegistry/);
  });

  Deno.test(`[${mode}] stop() during load leaves every job Succeeded or Enqueued`, async () => {
    const storage = new MemoryStorage();
    const client = new JobClient(storage);
    await client.enqueueMany(
      Array.from(
        { length: 300 },
        (_, i) => ({ worker: "sleep", args: { ms: i % 3 === 0 ? 600 : 20 } }),
      ),
    );
    const { server } = makeServer({
      execution: mode,
      storage,
      concurrency: 30,
      shutdownTimeoutMs: 150,
    });
    await server.start();
    await waitUntil(async () => (await storage.counts()).byState.Succeeded >= 30, {
      what: "some progress",
    });
    await server.stop();
    const jobs = await allJobs(storage);
    const states = new Set(jobs.map((j) => j.state));
    for (const s of states) {
      assert.ok(s === JobState.Succeeded || s === JobState.Enqueued, `found ${s}`);
    }
    assert.ok(jobs.some((j) => j.state === JobState.Enqueued), "long jobs were handed back");
    for (const j of jobs.filter((j) => j.state === JobState.Enqueued)) {
      assert.equal(j.attempts, 0, "a released attempt does not count");
      assert.equal(j.lockedBy, null);
    }
    // Idempotent, and a second server picks the handed-back jobs up.
    await server.stop();
    const left = jobs.filter((j) => j.state === JobState.Enqueued).length;
    await withServer({ execution: mode, storage, concurrency: 200 }, async () => {
      await waitUntil(async () => (await storage.counts()).byState.Succeeded === 300, {
        timeoutMs: 20_000,
        what: `${left} handed-back jobs`,
      });
    });
  });

  Deno.test(`[${mode}] events: started, progress, succeeded, retried, failed, server life`, async () => {
    const { server } = makeServer({ execution: mode });
    const seen: QmlEvent[] = [];
    server.events.onAny((e) => seen.push(e));
    await server.start();
    const p = await server.client.enqueue("progress", {});
    const f = await server.client.enqueue("always_fails", {});
    await server.client.waitFor(p.id);
    await server.client.waitFor(f.id);
    await server.stop();
    const types = (id: string) => seen.filter((e) => "id" in e && e.id === id).map((e) => e.type);
    assert.deepEqual(types(p.id), [
      "job.enqueued",
      "job.started",
      "job.progress",
      "job.progress",
      "job.succeeded",
    ]);
    assert.deepEqual(types(f.id).filter((t) => t !== "job.started"), [
      "job.enqueued",
      "job.retried",
      "job.retried",
      "job.failed",
    ]);
    assert.equal(seen[0].type, "server.started");
    assert.equal(seen.at(-1)!.type, "server.stopped");
  });
}

Deno.test("progress is stored on the job, and ctx.log goes to the logger with the job id", async () => {
  const lines: { msg: string; data?: Record<string, unknown> }[] = [];
  const logger = {
    debug() {},
    info: (msg: string, data?: Record<string, unknown>) => lines.push({ msg, data }),
    warn() {},
    error() {},
  };
  await withServer({ execution: "workers", logger }, async (server, storage) => {
    const job = await server.client.enqueue("progress", {});
    await waitUntil(async () => (await storage.get({ id: job.id }))!.progress === 50, {
      what: "progress 50",
    });
    await server.client.waitFor(job.id);
    const log = lines.find((l) => l.msg.includes("halfway"));
    assert.ok(log, "log line");
    assert.match(log.msg, new RegExp(`\\[job ${job.id}\\] halfway \\{ step: 1 \\}`));
    assert.equal(log.data?.jobId, job.id);
  });
});

Deno.test("scheduleRecurring / removeRecurring store templates that the cron plugin runs", async () => {
  await withServer(
    { execution: "inline", enableRecurring: true, recurringPollIntervalMs: 50 },
    async (server, storage) => {
      const t = await server.scheduleRecurring("every-second", "* * * * * *", "noop", { a: 1 }, {
        queue: "default",
        timezone: "UTC",
      });
      assert.equal(t.method, "noop");
      assert.equal((await storage.listRecurring()).length, 1);
      await waitUntil(async () => (await storage.counts()).byState.Succeeded >= 1, {
        timeoutMs: 5_000,
        what: "a recurring job",
      });
      assert.equal(await server.removeRecurring("every-second"), true);
      assert.equal(await server.removeRecurring("every-second"), false);
      await assert.rejects(
        server.scheduleRecurring("bad", "* * * * * *", "no_such_worker"),
        /no worker/,
      );
    },
  );
});

Deno.test("a stopped server cannot start again; stop() before start() is a no-op", async () => {
  const { server } = makeServer({ execution: "inline" });
  await server.stop();
  await assert.rejects(server.start(), /cannot start again/);
});

Deno.test("start() twice shares one start; stop() while starting waits for it", async () => {
  const { server } = makeServer({ execution: "workers" });
  const a = server.start();
  const b = server.start();
  const stopped = server.stop();
  await Promise.all([a, b, stopped]);
  assert.equal(server.state, "stopped");
});
