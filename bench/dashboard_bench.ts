/**
 * The dashboard at scale, on Postgres and Redis.
 *
 * 1. Queries at `--jobs` (default 1,000,000) jobs, seeded with `JobClient.enqueueMany` into a
 *    fresh schema / key prefix (not timed; 3 queues, 4 methods, a fifth of them scheduled):
 *    p50 / p95 of `GET /api/stats`, `GET /api/queues`, filtered `GET /api/jobs` pages, a
 *    `key:value` search for a job near the far end of the search bound, a frequent substring
 *    and a substring found nowhere (scans the whole bound), each `--samples` times through
 *    `app.fetch` after 3 warm-ups.
 * 2. Drain with and without a dashboard: 10,000 no-op jobs, the server in a child process
 *    with default options (the benchmarks method); "with" adds, in the producer's process, a
 *    `DashboardServer` with 5 WebSocket clients receiving every push. 3 rounds, alternating;
 *    medians and the ratio.
 *
 *   deno run -A bench/dashboard_bench.ts [--backend=postgres|redis|all] [--jobs=1000000]
 *     [--samples=30] [--drain=10000] [--rounds=3] [--skip-queries] [--skip-drain]
 *
 * @module
 */
import { JobClient } from "../src/client.ts";
import { createDashboard } from "../src/dashboard/app.ts";
import { DashboardServer } from "../src/dashboard/serve.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { SEARCH_SCAN_LIMIT, type Storage } from "../src/storage/storage.ts";
import { openFromEnv, sharedBackend } from "../tests/_helpers/shared_backends.ts";

const CHILD = Deno.env.get("QML_DASH_BENCH_CHILD");

function arg(name: string, fallback: string): string {
  const a = Deno.args.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  if (a === `--${name}`) return "true";
  return a ? a.slice(name.length + 3) : fallback;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rank = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil(q * xs.length) - 1)];

if (CHILD) {
  // The server process of a drain run.
  const { jobs } = JSON.parse(CHILD);
  const storage = await openFromEnv();
  const watch = await openFromEnv();
  const server = new BackgroundJobServer({
    storage,
    workers: new URL("./bench_workers.ts", import.meta.url),
    logLevel: "warn",
  });
  const t0 = performance.now();
  await server.start();
  for (;;) {
    const s = (await watch.counts()).byState;
    if (s.Enqueued + s.Scheduled + s.Processing + s.AwaitingRetry === 0 && s.Succeeded >= jobs) {
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  await server.stop();
  await watch.close();
  await storage.close();
  console.log(JSON.stringify({ ms }));
  Deno.exit(0);
}

const kinds = arg("backend", "all") === "all"
  ? (["postgres", "redis"] as const)
  : [arg("backend", "postgres") as "postgres" | "redis"];
const JOBS = Number(arg("jobs", "1000000"));
const SAMPLES = Number(arg("samples", "30"));
const DRAIN = Number(arg("drain", "10000"));
const ROUNDS = Number(arg("rounds", "3"));

async function seed(storage: Storage, n: number): Promise<void> {
  const client = new JobClient(storage);
  const methods = ["send_email", "charge_card", "render_report", "sync_inventory"];
  const queues = ["critical", "default", "reports"];
  const t0 = performance.now();
  for (let i = 0; i < n; i += 5000) {
    const items = [];
    for (let j = i; j < Math.min(n, i + 5000); j++) {
      items.push({
        worker: methods[j % 4],
        args: { i: j, user: `user-${j}`, plan: j % 7 === 0 ? "gold" : "free" },
        options: { queue: queues[j % 3], ...(j % 5 === 0 ? { delayMs: 86_400_000 } : {}) },
      });
    }
    await client.enqueueMany(items);
    if ((i / 5000) % 20 === 0) {
      const done = i + items.length;
      const rate = Math.round(done / ((performance.now() - t0) / 1000));
      console.error(`  seeded ${done.toLocaleString()} (${rate}/s)`);
    }
  }
}

async function queries(kind: "postgres" | "redis"): Promise<void> {
  const backend = sharedBackend(kind);
  try {
    const storage = await backend.open();
    console.error(`[${kind}] seeding ${JOBS.toLocaleString()} jobs…`);
    await seed(storage, JOBS);
    const app = createDashboard({ storage });
    // Near the far end of the search's window (the newest SEARCH_SCAN_LIMIT jobs), so the
    // key:value search scans almost all of it before finding the job.
    const target = Math.max(0, JOBS - SEARCH_SCAN_LIMIT + Math.floor(SEARCH_SCAN_LIMIT / 20));
    const cases: [string, string][] = [
      ["GET /api/stats", "/api/stats"],
      ["GET /api/queues", "/api/queues"],
      [
        "GET /api/jobs?state=Scheduled&queue=reports&limit=50",
        "/api/jobs?state=Scheduled&queue=reports&limit=50",
      ],
      ["GET /api/jobs?method=charge_card&limit=50", "/api/jobs?method=charge_card&limit=50"],
      [`search user:user-${target} (key:value)`, `/api/jobs?search=user:user-${target}&limit=50`],
      ["search gold (substring, a seventh of the jobs match)", "/api/jobs?search=gold&limit=50"],
      [
        "search zzz-no-such-text (substring, no match: scans the bound)",
        "/api/jobs?search=zzz-no-such-text&limit=50",
      ],
    ];
    for (const [name, path] of cases) {
      const times: number[] = [];
      let rows = 0;
      for (let s = 0; s < SAMPLES + 3; s++) {
        const t0 = performance.now();
        const res = await app.fetch(new Request(`http://bench${path}`));
        const body = await res.json();
        const ms = performance.now() - t0;
        if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
        rows = body.jobs?.length ?? 0;
        if (s >= 3) times.push(ms);
      }
      console.log(
        `${kind.padEnd(8)} ${String(JOBS).padStart(8)} jobs  ${name.padEnd(58)} p50 ${
          rank(times, 0.5).toFixed(1).padStart(7)
        } ms  p95 ${rank(times, 0.95).toFixed(1).padStart(7)} ms  (${rows} rows)`,
      );
    }
    app.close();
  } finally {
    console.error(`[${kind}] dropping the seeded jobs…`);
    await backend.cleanup();
  }
}

async function drainOnce(kind: "postgres" | "redis", withDashboard: boolean): Promise<number> {
  const backend = sharedBackend(kind);
  let dash: DashboardServer | undefined;
  const sockets: WebSocket[] = [];
  let received = 0;
  try {
    const storage = await backend.open();
    const client = new JobClient(storage);
    const items = Array.from({ length: DRAIN }, (_, i) => ({ worker: "noop", args: { i } }));
    for (let i = 0; i < items.length; i += 1000) await client.enqueueMany(items.slice(i, i + 1000));
    if (withDashboard) {
      dash = new DashboardServer({ storage: await backend.open(), port: 0 });
      await dash.start();
      for (let i = 0; i < 5; i++) {
        const ws = new WebSocket(`ws://127.0.0.1:${dash.port}/ws`);
        ws.onmessage = () => received++;
        await new Promise((r) => (ws.onopen = r));
        sockets.push(ws);
      }
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname],
      env: { ...backend.env, QML_DASH_BENCH_CHILD: JSON.stringify({ jobs: DRAIN }) },
      stderr: "inherit",
    }).output();
    const line = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
    const { ms } = JSON.parse(line);
    if (withDashboard) console.error(`  (5 sockets received ${received} messages)`);
    return Math.round(DRAIN / (ms / 1000));
  } finally {
    for (const ws of sockets) {
      const closed = new Promise((r) => (ws.onclose = r));
      ws.close();
      await closed;
    }
    await dash?.stop();
    await backend.cleanup();
  }
}

async function drain(kind: "postgres" | "redis"): Promise<void> {
  const without: number[] = [];
  const withDash: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    without.push(await drainOnce(kind, false));
    withDash.push(await drainOnce(kind, true));
  }
  const ratio = median(withDash) / median(without);
  console.log(
    `${kind.padEnd(8)} drain ${DRAIN} jobs: without dashboard ${median(without)} jobs/s (${
      Math.min(...without)
    }–${Math.max(...without)}), with dashboard + 5 sockets ${median(withDash)} jobs/s (${
      Math.min(...withDash)
    }–${Math.max(...withDash)}): ${(ratio * 100).toFixed(0)} %`,
  );
}

for (const kind of kinds) {
  if (arg("skip-queries", "") !== "true") await queries(kind);
  if (arg("skip-drain", "") !== "true") await drain(kind);
}
