/**
 * The fault soak: three server processes on one Postgres (or one Redis), a
 * producer enqueuing jobs of random duration (some failing and retried, some
 * failing for good, some scheduled), a per-second cron template, one server
 * SIGKILLed and restarted every few seconds and one server's clock really ahead
 * by several lock TTLs (libfaketime, see faketime.ts). At the end every job must be final and
 * none lost, a job may have run again only after its server was killed holding
 * it, every cron tick produced exactly one job, and nothing ran early.
 *
 *   deno run -A bench/soak.ts [--backend=postgres|redis|all] [--duration=180]
 *     [--jobs=20000] [--kill-every=5] [--skew=10] [--lock-ttl=2000]
 *
 * Prints a summary table; exits 1 on any violation. `runSoak` is also what the
 * short CI variant (tests/integration/soak_test.ts) calls.
 *
 * @module
 */
import { type EnqueueItem, JobClient } from "../src/client.ts";
import type { Job } from "../src/job.ts";
import type { Storage } from "../src/storage/storage.ts";
import { skewedClockEnv } from "./faketime.ts";
import { dropTarget, newTarget, openTarget, type SoakKind, targetEnv } from "./soak_backend.ts";
import { type Execution, judge, parseLog, type Planned, type Verdict } from "./soak_check.ts";

/** Parameters of one soak. */
export interface SoakOptions {
  kind: SoakKind;
  /** How long servers are killed and jobs produced (s); then the soak drains. */
  durationS: number;
  jobs: number;
  /** Seconds between kills of the doomed server. */
  killEveryS: number;
  /** How far the skewed server's clock is ahead (s). */
  skewS: number;
  lockTtlMs: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** A soak's verdict plus its run figures. */
export interface SoakReport extends Verdict {
  kind: SoakKind;
  kills: number;
  durationS: number;
}

const TICK_METHOD = "soak.tick";
const SERVER_URL = new URL("./soak_server.ts", import.meta.url).pathname;

interface Running {
  name: string;
  child: Deno.ChildProcess;
  /** Resolves once the process exited and its output is drained. */
  done: Promise<Deno.CommandStatus>;
}

/** Run one soak and judge it. */
export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const log = o.log ?? (() => {});
  const target = newTarget(o.kind);
  const storage = await openTarget(target);
  const dir = await Deno.makeTempDir({ prefix: "qml_soak_" });
  const skewed = "soak-skewed";
  const servers = new Map<string, Running>();
  const spawn = async (name: string): Promise<Running> => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SERVER_URL],
      env: {
        ...(name === skewed ? skewedClockEnv(o.skewS) : {}),
        ...targetEnv(target),
        QML_SOAK_NAME: name,
        QML_SOAK_LOG: `${dir}/${name}.log`,
        QML_SOAK_LOCK_TTL_MS: String(o.lockTtlMs),
      },
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`server ${name} exited before starting`);
      text += value;
    }
    const drain = (async () => {
      while (!(await lines.read()).done) { /* keep the pipe flowing */ }
    })();
    const running = { name, child, done: drain.then(() => child.status) };
    servers.set(name, running);
    return running;
  };

  const killed = new Set<string>();
  const inFlight = new Set<string>();
  const planned = new Map<string, Planned>();
  const t0 = performance.now();
  try {
    let doomed = 1;
    await Promise.all([spawn(`soak-doomed-${doomed}`), spawn(skewed), spawn("soak-steady")]);
    log(`${o.kind}: 3 servers up (${skewed} +${o.skewS}s)`);
    const start = performance.now(); // the soak's duration counts from here
    const client = new JobClient(storage);
    await client.scheduleRecurring("soak-every-second", "* * * * * *", TICK_METHOD, null, {
      missedTicks: "all",
    });
    const deadline = start + o.durationS * 1000;
    const producing = produce(client, o, planned, deadline);

    let kills = 0;
    // Kill on a fixed beat from the start, however long a restart takes.
    for (let at = start + o.killEveryS * 1000; at < deadline; at += o.killEveryS * 1000) {
      await sleep(at - performance.now());
      const victim = servers.get(`soak-doomed-${doomed}`)!;
      victim.child.kill("SIGKILL");
      await victim.done;
      killed.add(victim.name);
      kills++;
      for (const id of await heldBy(storage, victim.name)) inFlight.add(`${victim.name} ${id}`);
      await spawn(`soak-doomed-${++doomed}`);
      log(`${o.kind}: kill ${kills} at ${((performance.now() - start) / 1000).toFixed(0)} s`);
    }
    await producing;
    await sleep(Math.max(0, deadline - performance.now()));
    await storage.removeRecurring({ name: "soak-every-second" });
    log(`${o.kind}: draining`);
    await drained(storage, 120_000 + o.durationS * 1000);
    await Promise.all([...servers.values()].map(async (s) => {
      if (killed.has(s.name)) return;
      s.child.kill("SIGTERM");
      await s.done;
    }));

    const executions: Execution[] = [];
    for (const name of servers.keys()) {
      const text = await Deno.readTextFile(`${dir}/${name}.log`).catch(() => "");
      executions.push(...parseLog(text, name, name === skewed ? o.skewS * 1000 : 0));
    }
    const verdict = judge({
      planned,
      jobs: await allJobs(storage),
      executions,
      killed,
      inFlight,
      tickMethod: TICK_METHOD,
    });
    return {
      kind: o.kind,
      kills,
      durationS: Math.round((performance.now() - t0) / 1000),
      ...verdict,
    };
  } finally {
    for (const s of servers.values()) {
      try {
        s.child.kill("SIGKILL");
      } catch { /* already gone */ }
      await s.done.catch(() => {});
    }
    await dropTarget(target, storage);
    await Deno.remove(dir, { recursive: true });
  }
}

// Enqueue `o.jobs` jobs in batches spread over the first 60 % of the soak.
async function produce(
  client: JobClient,
  o: SoakOptions,
  planned: Map<string, Planned>,
  deadline: number,
): Promise<void> {
  const batch = 100;
  const batches = Math.ceil(o.jobs / batch);
  const spacing = (deadline - performance.now()) * 0.6 / batches;
  const maxDelayMs = o.durationS * 200; // scheduled jobs come due before the soak ends
  for (let b = 0; b < batches; b++) {
    const items: EnqueueItem[] = [];
    const plans: Planned[] = [];
    for (let i = b * batch; i < Math.min(o.jobs, (b + 1) * batch); i++) {
      const r = Math.random();
      const ms = r < 0.7 ? rnd(0, 50) : r < 0.95 ? rnd(50, 500) : rnd(o.lockTtlMs, 3 * o.lockTtlMs);
      const f = Math.random();
      const permanent = f < 0.03;
      const delayMs = Math.random() < 0.1 ? rnd(1_000, maxDelayMs) : undefined;
      items.push({
        worker: "soak.work",
        args: { ms, fail: permanent ? 99 : f < 0.13 ? 1 : 0 },
        options: {
          delayMs,
          maxAttempts: permanent ? 2 : 5,
          backoff: { type: "fixed", delayMs: 500 },
        },
      });
      plans.push({ permanent });
    }
    const jobs = await client.enqueueMany(items);
    jobs.forEach((job, i) => {
      const delayed = items[i].options?.delayMs !== undefined;
      planned.set(job.id, { ...plans[i], runAt: delayed ? job.runAt.getTime() : undefined });
    });
    await sleep(spacing);
  }
}

// Ids of Processing jobs locked by `server`.
async function heldBy(storage: Storage, server: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await storage.list({ state: "Processing", limit: 1000, cursor });
    ids.push(...page.jobs.filter((j) => j.lockedBy === server).map((j) => j.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

async function allJobs(storage: Storage): Promise<Job[]> {
  const jobs: Job[] = [];
  let cursor: string | null = null;
  do {
    const page = await storage.list({ limit: 1000, cursor });
    jobs.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return jobs;
}

// Wait until no job is Enqueued, Scheduled, Processing or AwaitingRetry.
async function drained(storage: Storage, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    const { byState: s } = await storage.counts();
    if (s.Enqueued + s.Scheduled + s.Processing + s.AwaitingRetry === 0) return;
    await sleep(250);
  }
}

const rnd = (lo: number, hi: number) => Math.round(lo + Math.random() * (hi - lo));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The summary table of `reports`. */
export function summary(reports: readonly SoakReport[]): string {
  const head = [
    "backend",
    "jobs",
    "succeeded",
    "failed",
    "executions",
    "kills",
    "in flight at kills",
    "re-runs",
    "failed by kills",
    "ticks",
    "duration",
    "violations",
  ];
  const rows = reports.map((r) =>
    [
      r.kind,
      r.jobs,
      r.succeeded,
      r.failed,
      r.executions,
      r.kills,
      r.inFlightAtKills,
      r.reRuns,
      r.failedByKills,
      r.ticks,
      `${r.durationS} s`,
      r.violations.length,
    ].map(String)
  );
  return [head, ...rows].map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

if (import.meta.main) {
  const flags = new Map<string, string>();
  for (let i = 0; i < Deno.args.length; i++) {
    const [k, v] = Deno.args[i].replace(/^--/, "").split("=");
    flags.set(k, v ?? Deno.args[++i]);
  }
  const num = (k: string, d: number) => Number(flags.get(k) ?? d);
  const backend = flags.get("backend") ?? "all";
  const kinds: SoakKind[] = backend === "all" ? ["postgres", "redis"] : [backend as SoakKind];
  const reports: SoakReport[] = [];
  for (const kind of kinds) {
    reports.push(
      await runSoak({
        kind,
        durationS: num("duration", 180),
        jobs: num("jobs", 20_000),
        killEveryS: num("kill-every", 5),
        skewS: num("skew", 10),
        lockTtlMs: num("lock-ttl", 2_000),
        log: (line) => console.error(line),
      }),
    );
  }
  console.log(summary(reports));
  for (const r of reports) for (const v of r.violations) console.log(`${r.kind}: ${v}`);
  if (reports.some((r) => r.violations.length > 0)) Deno.exit(1);
}
