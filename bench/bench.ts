/**
 * `deno task bench`: qml's benchmarks by the method of the project's benchmark design —
 * public API only, producer and server in separate processes (`bench/child.ts`, each its own
 * `deno run`), a fresh schema / key prefix per run, start-up counted, three runs per case in
 * interleaved rounds, median (min–max). Prints one markdown table.
 *
 *   deno task bench [--backend=postgres,redis,sqlite,sqlite-normal,memory]
 *                   [--only=1a,1b,1c,2,3,growth,verbs] [--runs=3] [--big] [--checkout=DIR]
 *                   [--otel] [--match=TEXT]
 *
 * `sqlite` is a fresh file in TMPDIR per run (durability "full", the default), deleted after;
 * `sqlite-normal` the same with `durability=normal` (not run unless named). What needs the
 * producer and the server in one process (SQLite's in-process latency, its event loop during
 * a bulk enqueue, group commit) is `bench/sqlite_bench.ts`.
 *
 * Workloads: 1a 10,000 sequential `enqueue`; 1c the same 10,000 calls with 50 in flight (an
 * app's request handlers); 1b one `enqueueMany` of 10,000 (each job its own `clock.now()`); 2 drain 10,000 no-op jobs with no options, `concurrency: 10`, Web
 * Workers and inline, and inline with a retention of 0 (each job deleted as it ends; peak RSS
 * of the server process alongside); 3 latency of 200 jobs on a
 * 20 ms schedule (handler start in the handler's thread − `enqueue` returned in the
 * producer; p50/p95/p99 by nearest rank); growth: `enqueueMany` 1k/10k/100k with distinct
 * delays and priorities, drain backlog 10k/100k (and 1M with `--big`); and, below the public
 * API, one Postgres `transition` call of 4,000 items with distinct timestamps.
 * `--checkout=DIR` runs every case against another checkout of the library too (e.g. a
 * `git worktree` of the previous commit), in the same rounds, for an A/B in one session.
 * `--otel` adds, beside each column, a ` +otel` column for the drains of workload 2 whose
 * server child runs with Deno's OpenTelemetry on (`OTEL_DENO=true`, service `qml-bench`),
 * exporting over OTLP/HTTP to a sink the harness serves on 127.0.0.1 (`bench/otlp_sink.ts`);
 * a row under each drain shows what reached the sink per run (0 in the columns without).
 * `--match=TEXT` keeps only the rows whose label contains TEXT (e.g. `--match="inline, \`"`).
 *
 * @module
 */
import { type BackendName, BACKENDS, DEFAULT_BACKENDS } from "./backends.ts";
import { type Cell, renderTable, type Row } from "./table.ts";
import { type OtlpSink, type SinkCounts, startOtlpSink } from "./otlp_sink.ts";
import { cpuCell, cpuRowLabel } from "./db_cpu.ts";
import {
  cleanupLibs,
  drain,
  fresh,
  latencyRun,
  prepareLib,
  produce,
  type Result,
  type Run,
} from "./qml_runs.ts";

const flags = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split(/=(.*)/s)).map(([k, v]) => [k, v ?? "true"]),
);
const RUNS = Number(flags.runs ?? 3);
const backends = (flags.backend?.split(",") ?? DEFAULT_BACKENDS) as BackendName[];
const only = flags.only ? new Set(flags.only.split(",")) : null;
const here = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const libs = [{ label: "", dir: here }];
if (flags.checkout) {
  const dir = await Deno.realPath(flags.checkout);
  libs[0].label = " (this)";
  libs.push({ label: ` (${dir.split("/").pop()})`, dir });
}
for (const b of backends) if (!BACKENDS.includes(b)) throw new Error(`unknown backend ${b}`);
const sink: OtlpSink | null = flags.otel ? startOtlpSink() : null;
/** What a ` +otel` column's server child runs with. */
const otelEnv: Record<string, string> = sink
  ? {
    OTEL_DENO: "true",
    OTEL_SERVICE_NAME: "qml-bench",
    OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint,
  }
  : {};
for (const l of libs) await prepareLib(l.dir);

/**
 * A case: one table row, run once per round, per backend and library. `otel`: it also runs
 * in the ` +otel` columns, its server child with `env` (the other children never get it).
 */
interface Case {
  group: string;
  label: string;
  backends?: readonly BackendName[];
  otel?: boolean;
  run: Run;
}

const durable: BackendName[] = ["postgres", "redis", "sqlite", "sqlite-normal"];
const cases: Case[] = [
  { group: "1a", label: "1a `enqueue` × 10,000, sequential", run: produce("seq", 10_000) },
  {
    group: "1c",
    label: "1c `enqueue` × 10,000, 50 in flight",
    run: produce("concurrent", 10_000),
  },
  { group: "1b", label: "1b `enqueueMany` of 10,000", run: produce("many", 10_000) },
  { group: "2", label: "2 drain 10,000, no options", otel: true, run: drain(10_000, {}) },
  {
    group: "2",
    label: "2 drain 10,000, `concurrency: 10`",
    otel: true,
    run: drain(10_000, { concurrency: 10 }),
  },
  {
    group: "2",
    label: "2 drain 10,000, inline",
    otel: true,
    run: drain(10_000, { execution: "inline" }),
  },
  {
    group: "2",
    label: "2 drain 10,000, inline, `concurrency: 10`",
    otel: true,
    run: drain(10_000, { execution: "inline", concurrency: 10 }),
  },
  {
    group: "2",
    label: "2 drain 10,000, inline, `succeededTtlMs: 0`",
    run: drain(10_000, { execution: "inline", succeededTtlMs: 0 }),
  },
  {
    group: "3",
    label: "3 latency p50 / p95 / p99 (ms)",
    backends: durable,
    run: (lib, backend) => fresh(backend, (base) => latencyRun(lib, base)),
  },
  { group: "growth", label: "growth `enqueueMany` 1,000", run: produce("growth", 1_000) },
  { group: "growth", label: "growth `enqueueMany` 10,000", run: produce("growth", 10_000) },
  { group: "growth", label: "growth `enqueueMany` 100,000", run: produce("growth", 100_000) },
  { group: "growth", label: "growth drain backlog 10,000", run: drain(10_000, {}) },
  { group: "growth", label: "growth drain backlog 100,000", run: drain(100_000, {}) },
  {
    group: "verbs",
    label: "storage verb: one `transition` of 4,000, distinct times (ms)",
    backends: ["postgres"],
    run: produce("transition", 4_000),
  },
];
if (flags.big) {
  cases.push({
    group: "growth",
    label: "growth drain backlog 1,000,000",
    run: drain(1_000_000, {}),
  });
}
const selected = cases.filter((c) =>
  (!only || only.has(c.group)) && (!flags.match || c.label.includes(flags.match))
);
/** A column of the table: a backend, a library, and whether the server exports telemetry. */
interface Column {
  backend: BackendName;
  lib: string;
  name: string;
  otel: boolean;
}
const columns: Column[] = backends.flatMap((b) =>
  libs.flatMap((l) =>
    [false, ...(sink ? [true] : [])].map((otel) => ({
      backend: b,
      lib: l.dir,
      name: b + l.label + (otel ? " +otel" : ""),
      otel,
    }))
  )
);
/** Whether case `c` runs in column `col` (otherwise its cell is "–"). */
const applies = (c: Case, col: Column): boolean =>
  (!c.backends || c.backends.includes(col.backend)) && (!col.otel || !!c.otel);

/** A run of `c` in `col`, with what reached the OTLP sink meanwhile when `--otel` is on. */
async function measure(c: Case, col: Column): Promise<Result> {
  const before = sink?.counts();
  const r = await c.run(col.lib, col.backend, col.otel ? otelEnv : {});
  if (!sink || !before || !c.otel) return r;
  const after = sink.counts();
  const delta = (s: keyof SinkCounts, k: "requests" | "bytes") => after[s][k] - before[s][k];
  const all = (k: "requests" | "bytes") =>
    (Object.keys(after) as (keyof SinkCounts)[]).reduce((sum, s) => sum + delta(s, k), 0);
  return {
    ...r,
    otlpTraceRequests: delta("traces", "requests"),
    otlpTraceKiB: delta("traces", "bytes") / 1024,
    otlpKiB: all("bytes") / 1024,
  };
}

const results = new Map<string, Result[]>();
const key = (c: Case, col: Column) => `${c.label}|${col.name}`;
for (let round = 1; round <= RUNS; round++) {
  for (const c of selected) {
    for (const col of columns) {
      if (!applies(c, col)) continue;
      const label = `round ${round}/${RUNS}: ${c.label} on ${col.name}`;
      try {
        const r = await measure(c, col);
        (results.get(key(c, col)) ?? results.set(key(c, col), []).get(key(c, col))!).push(r);
        console.error(`${label}: ${JSON.stringify(r)}`);
      } catch (err) {
        console.error(`${label}: FAILED ${(err as Error).message}`);
      }
    }
  }
}

const rows: Row[] = [];
const cell = (c: Case, col: Column): Result[] => results.get(key(c, col)) ?? [];
for (const c of selected) {
  const unit = c.group === "3"
    ? "latency"
    : c.group === "verbs"
    ? "verb"
    : c.label.startsWith("growth `enq")
    ? "ms"
    : "rate";
  rows.push({
    label: c.label + (unit === "rate" ? " (jobs/s)" : unit === "ms" ? " (ms)" : ""),
    cells: columns.map((col): Cell => {
      const rs = cell(c, col);
      if (!applies(c, col)) return { kind: "none" };
      if (unit === "latency") {
        return { kind: "multi", series: ["p50", "p95", "p99"].map((p) => rs.map((r) => r[p])) };
      }
      return { kind: "one", values: rs.map((r) => (unit === "rate" ? r.rate : r.ms)) };
    }),
  });
  if (c.group === "2" || c.group === "3") {
    rows.push({
      label: c.group === "3"
        ? "4 server peak RSS (MiB), idle server of 3"
        : `4 server peak RSS (MiB), ${c.label.replace(/^\d /, "")}`,
      cells: columns.map((col): Cell => {
        if (!applies(c, col)) return { kind: "none" };
        return { kind: "one", values: cell(c, col).map((r) => r.rssMiB), digits: 0 };
      }),
    });
  }
  if (c.group === "2") {
    rows.push({
      label: cpuRowLabel(c.label),
      cells: columns.map((col): Cell =>
        applies(c, col)
          ? cpuCell(cell(c, col), col.backend === "postgres" || col.backend === "redis")
          : { kind: "none" }
      ),
    });
  }
  if (sink && c.otel) {
    rows.push({
      label: `OTLP to the sink per run: trace exports / trace KiB / KiB all signals, ${
        c.label.replace(/^\d /, "")
      }`,
      cells: columns.map((col): Cell => ({
        kind: "multi",
        series: ["otlpTraceRequests", "otlpTraceKiB", "otlpKiB"].map((k) =>
          cell(c, col).map((r) => r[k])
        ),
        digits: 0,
      })),
    });
  }
}
// Growth: the cost of each 10× step, from the medians.
const growth = (labels: string[], title: string, pick: (r: Result) => number) => {
  const found = labels.map((l) => selected.find((c) => c.label === l));
  if (found.some((c) => !c)) return;
  rows.push({
    label: title,
    cells: columns.map((col): Cell => {
      if (!applies(found[0]!, col)) return { kind: "none" };
      const ms = found.map((c) => {
        const vs = cell(c!, col).map(pick).sort((a, b) => a - b);
        // Time per run: enqueue rows give ms; drain rows give a rate of 10^(4+i) jobs.
        return vs.length ? vs[Math.floor(vs.length / 2)] : NaN;
      });
      return { kind: "ratios", values: ms };
    }),
  });
};
growth(
  ["growth `enqueueMany` 1,000", "growth `enqueueMany` 10,000", "growth `enqueueMany` 100,000"],
  "growth `enqueueMany` time per 10× step (≤ 12×)",
  (r) => r.ms,
);
growth(
  [
    "growth drain backlog 10,000",
    "growth drain backlog 100,000",
    ...(flags.big ? ["growth drain backlog 1,000,000"] : []),
  ],
  "growth drain time per 10× step (≤ 12×)",
  (r) => r.ms,
);

// The command as a shell would take it (quoted where needed), as a markdown code span.
const shellArg = (a: string) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`;
const command = ["deno task bench", ...Deno.args.map(shellArg)].join(" ");
console.log(renderTable({
  title: `qml benchmarks: median (min–max) of ${RUNS} runs in rounds; ` +
    (command.includes("`") ? `\`\` ${command} \`\`` : `\`${command}\``),
  columns: columns.map((c) => c.name),
  rows,
}));
await cleanupLibs();
await sink?.close();
