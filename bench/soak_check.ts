/**
 * The soak's verdict, from what storage holds at the end and what the servers'
 * execution logs say really ran (see soak_server.ts). Pure: no I/O.
 *
 * @module
 */
import type { Job } from "../src/job.ts";

/** What the soak enqueued, per job id. */
export interface Planned {
  /** Fails on every attempt (ends Failed); otherwise ends Succeeded. */
  permanent: boolean;
  /** When it was scheduled for, if it was (ms, storage time). */
  runAt?: number;
}

/** One handler start, from a server's log. */
export interface Execution {
  id: string;
  attempt: number;
  /** Storage time of the start (the log's wall clock minus its process's known skew). */
  at: number;
  method: string;
  /** The server that ran it. */
  server: string;
}

/** The soak's figures and every violation found. */
export interface Verdict {
  jobs: number;
  succeeded: number;
  failed: number;
  executions: number;
  /** Jobs held by a server at the moment it was killed. */
  inFlightAtKills: number;
  /** Runs again after a rescue (each from a killed server, else a violation). */
  reRuns: number;
  /**
   * Jobs planned to succeed that ended Failed because their last attempt, too, was held by a
   * server killed holding it (a rescue counts an attempt, so a job a restarted server keeps
   * picking up can spend them all on kills). Counted in `failed`, not a violation.
   */
  failedByKills: number;
  ticks: number;
  violations: string[];
}

/** Scheduled work may start this much before its time (clock measurement error). */
const EARLY_TOLERANCE_MS = 100;
const RESCUED = /^rescued: lock of (\S+) expired/;
const LOCK_EXPIRED_LAST = /^lock expired after \d+ of \d+ attempts$/;
const TICK = / tick (\S+)$/;

/**
 * Judge a soak. `killed`: names of killed servers; `inFlight`: `"<server> <job id>"` of
 * every job a server held (Processing, locked by it) when it was killed.
 */
export function judge(p: {
  planned: ReadonlyMap<string, Planned>;
  jobs: readonly Job[];
  executions: readonly Execution[];
  killed: ReadonlySet<string>;
  inFlight: ReadonlySet<string>;
  tickMethod: string;
}): Verdict {
  const violations: string[] = [];
  const bad = (msg: string) => {
    if (violations.length < 50) violations.push(msg);
  };
  const byId = new Map(p.jobs.map((j) => [j.id, j]));
  const runs = new Map<string, Execution[]>();
  for (const e of p.executions) {
    const list = runs.get(e.id) ?? [];
    list.push(e);
    runs.set(e.id, list);
  }
  let succeeded = 0, failed = 0, reRuns = 0, failedByKills = 0;
  // Whether `job` ended Failed on the lapsed lock of its last attempt, held by a killed server.
  const spentByKills = (job: Job) => {
    const last = job.history.at(-1);
    if (job.state !== "Failed" || !LOCK_EXPIRED_LAST.test(last?.reason ?? "")) return false;
    const holder = job.history.findLast((h) => h.reason === "fetched")?.server ?? "";
    return p.killed.has(holder) && p.inFlight.has(`${holder} ${job.id}`);
  };
  const audit = (job: Job) => {
    const execs = runs.get(job.id) ?? [];
    const fetches = job.history.filter((h) => h.reason === "fetched");
    if (execs.length > fetches.length) {
      bad(`job ${job.id} ran ${execs.length} times for ${fetches.length} fetches`);
    }
    const attempts = new Set(execs.map((e) => e.attempt));
    if (attempts.size < execs.length) bad(`job ${job.id} ran one attempt twice`);
    for (const h of job.history) {
      const rescued = RESCUED.exec(h.reason ?? "");
      if (!rescued) continue;
      reRuns++;
      if (!p.killed.has(rescued[1]) || !p.inFlight.has(`${rescued[1]} ${job.id}`)) {
        bad(`job ${job.id} was rescued from ${rescued[1]}, which was not killed holding it`);
      }
    }
  };

  for (const [id, plan] of p.planned) {
    const job = byId.get(id);
    if (!job) {
      bad(`job ${id} was lost`);
      continue;
    }
    const byKills = !plan.permanent && spentByKills(job);
    if (byKills) failedByKills++;
    const want = plan.permanent || byKills ? "Failed" : "Succeeded";
    if (job.state !== want) {
      // Its history says why (each fetch, rescue, retry and the final error).
      const story = job.history.map((h) =>
        `${h.state} (${[h.reason, h.server].filter(Boolean).join(", ")})`
      );
      bad(`job ${id} ended ${job.state}, expected ${want}: ${story.join(" → ")}`);
    }
    if (job.state === "Succeeded") succeeded++;
    if (job.state === "Failed") failed++;
    audit(job);
    const first = runs.get(id)?.[0];
    if (plan.runAt !== undefined && first && first.at < plan.runAt - EARLY_TOLERANCE_MS) {
      bad(`scheduled job ${id} ran ${plan.runAt - first.at} ms early on ${first.server}`);
    }
  }

  const tickJobs = p.jobs.filter((j) => j.method === p.tickMethod);
  const tickAts: number[] = [];
  for (const job of tickJobs) {
    const iso = TICK.exec(job.history[0]?.reason ?? "")?.[1];
    if (!iso) {
      bad(`tick job ${job.id} names no tick`);
      continue;
    }
    const tickAt = Date.parse(iso);
    tickAts.push(tickAt);
    if (job.state !== "Succeeded") bad(`tick ${iso} ended ${job.state}`);
    audit(job);
    const first = runs.get(job.id)?.[0];
    if (!first) bad(`tick ${iso} never ran`);
    else if (first.at < tickAt - EARLY_TOLERANCE_MS) {
      bad(`tick ${iso} ran ${tickAt - first.at} ms early on ${first.server}`);
    }
  }
  tickAts.sort((a, b) => a - b);
  for (let i = 1; i < tickAts.length; i++) {
    const gap = tickAts[i] - tickAts[i - 1];
    if (gap === 0) bad(`tick ${new Date(tickAts[i]).toISOString()} produced two jobs`);
    else if (gap !== 1_000) bad(`ticks missing before ${new Date(tickAts[i]).toISOString()}`);
  }
  for (const e of p.executions) {
    if (!byId.has(e.id)) bad(`an execution of unknown job ${e.id}`);
  }
  return {
    jobs: p.planned.size,
    succeeded,
    failed,
    executions: p.executions.length,
    inFlightAtKills: p.inFlight.size,
    reRuns,
    failedByKills,
    ticks: tickAts.length,
    violations,
  };
}

/** Parse one server's log; `skewMs` is how far its clock is ahead of the storage's. */
export function parseLog(text: string, server: string, skewMs: number): Execution[] {
  const out: Execution[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("S ")) continue;
    const [, id, attempt, at, method] = line.split(" ");
    out.push({ id, attempt: Number(attempt), at: Number(at) - skewMs, method, server });
  }
  return out;
}
