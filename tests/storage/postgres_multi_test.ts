/**
 * Several processes on one database: three storages (own pools) drain a backlog with each
 * job taken exactly once, and a process SIGKILLed while holding locks loses no job.
 */
import assert from "node:assert/strict";
import { createJob, type Job } from "../../src/job.ts";
import type { PostgresStorage } from "../../src/storage/postgres/postgres_storage.ts";
import { decide } from "../../src/transitions.ts";
import { openTestStorage, TEST_DATABASE_URL, waitUntil } from "../_helpers/postgres.ts";

async function drainLoop(s: PostgresStorage, server: string, runs: Map<string, number>) {
  while (true) {
    const now = new Date();
    const jobs = await s.fetchAndLock({
      queues: ["default"],
      limit: 50,
      serverName: server,
      lockTtlMs: 30_000,
      now,
    });
    if (jobs.length === 0) return;
    for (const j of jobs) runs.set(j.id, (runs.get(j.id) ?? 0) + 1);
    const applied = await s.transition({
      now,
      items: jobs.map((j) => ({
        id: j.id,
        guard: { state: j.state, lockedBy: server },
        next: decide(j, { type: "succeeded", result: { by: server } }, { now, server }),
      })),
    });
    assert.ok(applied.every(Boolean), "a finish from the lock holder always applies");
  }
}

Deno.test("multi: three storages drain 5,000 jobs, each taken exactly once", async () => {
  const main = await openTestStorage();
  const others = await Promise.all(
    [1, 2].map(() => openTestStorage({ schema: main.schema, autoMigrate: false })),
  );
  try {
    const now = new Date();
    const jobs = Array.from({ length: 5_000 }, (_, i) => createJob({ method: "m", args: i, now }));
    await main.storage.enqueue({ jobs, now });
    const runs = new Map<string, number>();
    const storages = [main.storage, ...others.map((o) => o.storage)];
    await Promise.all(
      storages.flatMap((
        s,
        i,
      ) => [drainLoop(s, `srv${i}-a`, runs), drainLoop(s, `srv${i}-b`, runs)]),
    );
    assert.equal(runs.size, 5_000);
    assert.ok([...runs.values()].every((n) => n === 1), "no job ran twice");
    const counts = await main.storage.counts();
    assert.equal(counts.byState.Succeeded, 5_000);
  } finally {
    for (const o of others) await o.storage.close();
    await main.cleanup();
  }
});

const CHILD = `
import { PostgresStorage } from "${
  new URL("../../src/storage/postgres/postgres_storage.ts", import.meta.url).href
}";
const s = await PostgresStorage.connect({ url: Deno.args[0], schema: Deno.args[1], autoMigrate: false });
const jobs = await s.fetchAndLock({ queues: ["default"], limit: 20, serverName: "doomed", lockTtlMs: 500, now: new Date() });
console.log("locked " + jobs.length);
await new Promise(() => {});
`;

Deno.test("multi: jobs of a SIGKILLed process are rescued after the lock TTL, none lost", async () => {
  const h = await openTestStorage();
  try {
    const s = h.storage;
    const now = new Date();
    const jobs = Array.from({ length: 30 }, (_, i) => createJob({ method: "m", args: i, now }));
    await s.enqueue({ jobs, now });
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        CHILD,
        TEST_DATABASE_URL,
        h.schema,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    assert.match(out, /locked 20/);
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    await reader.cancel();

    // The rescuer's view: the dead server's 20 jobs come up once their locks lapse.
    let expired: Job[] = [];
    await waitUntil(async () => {
      expired = await s.findExpiredLocks({ now: new Date(), limit: 100 });
      return expired.length === 20;
    }, { timeoutMs: 10_000, what: "the dead server's locks to lapse" });
    const t = new Date();
    const rescued = await s.transition({
      now: t,
      items: expired.map((j) => ({
        id: j.id,
        guard: { state: j.state, lockedBy: j.lockedBy ?? undefined, lockExpired: true },
        next: decide(j, { type: "lock_expired" }, { now: t, server: "rescuer" }),
      })),
    });
    assert.ok(rescued.every(Boolean));

    const runs = new Map<string, number>();
    await drainLoop(s, "survivor", runs);
    assert.equal(runs.size, 30, "every job ran on the survivor");
    const all = await Promise.all(jobs.map((j) => s.get({ id: j.id })));
    assert.ok(all.every((j) => j?.state === "Succeeded"), "none lost");
    const rescuedJobs = all.filter((j) => j!.attempts === 2);
    assert.equal(rescuedJobs.length, 20, "the dead server's attempt counted");
  } finally {
    await h.cleanup();
  }
});
