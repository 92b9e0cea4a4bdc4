/**
 * A server whose clock is really ahead (a child process with libfaketime, 3.3× the
 * lock TTL ahead) runs maintenance next to an honest server that runs long jobs:
 * no job runs twice, a scheduled job does not run before its time by the storage's
 * clock, and each cron tick fires once, not early. The skewed server itself runs
 * the scheduled job and the ticks (queue `early`): an honest fetcher would hold
 * back a job promoted early, as fetches only take jobs whose `runAt` has come.
 */
import assert from "node:assert/strict";
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import { JobClient } from "../../src/client.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { sharedBackend } from "../_helpers/shared_backends.ts";
import { readExecutions, skewRegistry } from "../fixtures/skew_workers.ts";
import { skewedClockEnv } from "../../bench/faketime.ts";

const LOCK_TTL_MS = 1_500;
const SKEW_S = 5; // 3.3 × LOCK_TTL_MS
/** Storage-clock error allowed between promotion and the handler's own reading. */
const EARLY_TOLERANCE_MS = 50;

/** Start the skewed server; resolve with its clock's offset once it runs. */
async function spawnSkewed(env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tests/fixtures/skewed_server.ts"],
    env: { ...env, ...skewedClockEnv(SKEW_S) },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("started\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`skewed server exited early: ${text}`);
    text += value;
  }
  const offsetMs = Number(/offset (-?\d+)/.exec(text)?.[1]);
  const stop = async () => {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("stop\n"));
    await writer.close();
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += r.value;
    return { status: await child.status, stopped: rest.includes("stopped\n") };
  };
  return { child, offsetMs, stop };
}

// Network backends: their clock is another machine's. SQLite's is the reading process's own.
for (const kind of ["postgres", "redis"] as const) {
  Deno.test(`[${kind}] a server with its clock +${SKEW_S}s ahead steals no job and runs nothing early`, async () => {
    const backend = sharedBackend(kind);
    const log = await Deno.makeTempFile({ prefix: "qml_skew_" });
    let honest: BackgroundJobServer | undefined;
    let skewed: Awaited<ReturnType<typeof spawnSkewed>> | undefined;
    try {
      const storage = await backend.open();
      skewed = await spawnSkewed({
        ...backend.env,
        QML_SKEW_LOG: log,
        QML_SKEW_LOCK_TTL_MS: String(LOCK_TTL_MS),
      });
      assert.ok(
        skewed.offsetMs >= 3 * LOCK_TTL_MS,
        `faketime skews the child's Date.now() (offset ${skewed.offsetMs} ms)`,
      );
      honest = new BackgroundJobServer({
        storage,
        workers: skewRegistry(storage, log),
        execution: "inline",
        serverName: "honest",
        concurrency: 20,
        lockTtlMs: LOCK_TTL_MS,
        pollIntervalMs: 50,
        recurringPollIntervalMs: 100,
        enableCleanup: false,
        logLevel: "silent",
      });
      await honest.start();
      const client = new JobClient(storage);
      await honest.scheduleRecurring("every-second", "* * * * * *", "tick", null, {
        queue: "early",
      });
      const long = await client.enqueueMany(
        Array.from({ length: 6 }, () => ({ worker: "long", args: { ms: 3 * LOCK_TTL_MS } })),
      );
      const due = await client.enqueue("due", null, { delayMs: 3_000, queue: "early" });
      const ids = [...long.map((j) => j.id), due.id];
      // Done when all succeeded, or as soon as one ran twice (a stolen job is rescued again
      // and again, so waiting for success would only time out).
      await waitUntil(async () => {
        const jobs = await Promise.all(ids.map((id) => client.get(id)));
        const seen = (await readExecutions(log)).map((r) => r.id);
        return jobs.every((j) => j?.state === "Succeeded") || new Set(seen).size < seen.length;
      }, { timeoutMs: 30_000, intervalMs: 100, what: "the long and the scheduled jobs" });
      await honest.removeRecurring("every-second");
      // Let a tick job created just before the removal finish.
      await waitUntil(async () => {
        const ticks = (await client.list({ method: "tick", limit: 1000 })).jobs;
        return ticks.every((j) => j.state !== "Enqueued" && j.state !== "Processing");
      }, { timeoutMs: 10_000, what: "the tick jobs" });
      const { status, stopped } = await skewed.stop();
      skewed = undefined;
      assert.ok(stopped, "the skewed server stopped gracefully and closed its storage");
      // libfaketime, preloaded into the child, sometimes crashes the process in its exit
      // teardown (SIGSEGV, 139) after everything above has finished: a tool's artifact.
      assert.ok(status.code === 0 || status.code === 139, `exit code ${status.code}`);

      const runs = await readExecutions(log);
      const runsOf = (id: string) => runs.filter((r) => r.id === id);
      for (const j of long) assert.equal(runsOf(j.id).length, 1, `long job ${j.id} ran once`);
      assert.equal(runsOf(due.id).length, 1);
      assert.ok(
        runsOf(due.id)[0].at >= due.runAt.getTime() - EARLY_TOLERANCE_MS,
        `the scheduled job ran ${due.runAt.getTime() - runsOf(due.id)[0].at} ms early`,
      );
      const ticks = (await client.list({ method: "tick", limit: 1000 })).jobs;
      assert.ok(ticks.length >= 4, `${ticks.length} ticks in ~5 s`);
      const tickTimes = ticks.map((j) => {
        const iso = / tick (\S+)$/.exec(j.history[0].reason ?? "")?.[1];
        assert.ok(iso, `tick job reason: ${j.history[0].reason}`);
        const tickAt = new Date(iso).getTime();
        assert.equal(runsOf(j.id).length, 1, `tick ${iso} ran once`);
        assert.ok(
          runsOf(j.id)[0].at >= tickAt - EARLY_TOLERANCE_MS,
          `tick ${iso} ran ${tickAt - runsOf(j.id)[0].at} ms early`,
        );
        return tickAt;
      }).sort((a, b) => a - b);
      assert.equal(new Set(tickTimes).size, tickTimes.length, "each tick fired once");
      for (let i = 1; i < tickTimes.length; i++) {
        assert.equal(tickTimes[i] - tickTimes[i - 1], 1_000, "no tick lost");
      }
    } finally {
      await skewed?.stop().catch(() => {});
      await honest?.stop();
      await backend.cleanup();
      await Deno.remove(log).catch(() => {});
    }
  });
}
