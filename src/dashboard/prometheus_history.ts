/**
 * The metrics-history half of `GET /metrics`: attempts and duration histograms of the
 * last minutes, per queue, read from the storage's buckets so every server of the
 * cluster is counted (not only this process).
 *
 * The history is kept in minute buckets that roll off, so nothing here is a monotonic
 * Prometheus counter: every series is a gauge over a sliding window, named with its
 * window (`_5m`). Cumulative histogram buckets use the `le` label as Prometheus does.
 *
 * @module
 */
import { METRIC_BUCKETS_MS, MINUTE_MS } from "../metrics.ts";
import type { Storage } from "../storage/storage.ts";
import { sumBuckets } from "./stats.ts";

/** Minutes of history the `_5m` series cover (whole minutes, the current one included). */
export const PROMETHEUS_WINDOW_MINUTES = 5;

/** Escape a label value as the exposition format says (queue names are user data). */
export function promLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Window totals of one queue. */
interface QueueWindow {
  queue: string;
  totals: ReturnType<typeof sumBuckets>;
}

/** Read the last {@link PROMETHEUS_WINDOW_MINUTES} minutes of history of each queue. */
export async function readHistoryWindow(
  storage: Storage,
  now: Date,
  queues: readonly string[],
): Promise<QueueWindow[]> {
  const from = new Date(
    Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS - (PROMETHEUS_WINDOW_MINUTES - 1) * MINUTE_MS,
  );
  const to = new Date(now.getTime() + 1);
  // One read per queue: a handful of queues, never a scan of jobs.
  return await Promise.all(queues.map(async (queue) => ({
    queue,
    totals: sumBuckets(await storage.queryMetrics({ from, to, resolution: "minute", queue })),
  })));
}

function histogramLines(name: string, queue: string, counts: readonly number[]): string[] {
  const q = `queue="${promLabel(queue)}"`;
  const out: string[] = [];
  let cumulative = 0;
  counts.forEach((n, i) => {
    cumulative += n;
    const le = i < METRIC_BUCKETS_MS.length ? String(METRIC_BUCKETS_MS[i]) : "+Inf";
    out.push(`${name}{${q},le="${le}"} ${cumulative}`);
  });
  return out;
}

/** The history window as exposition lines (with `# HELP` / `# TYPE`). */
export function historyText(windows: readonly QueueWindow[]): string[] {
  const w = `${PROMETHEUS_WINDOW_MINUTES}m`;
  const out: string[] = [
    `# HELP qml_attempts_${w} Finished attempts in the last ${w} by queue and outcome.`,
    `# TYPE qml_attempts_${w} gauge`,
  ];
  for (const { queue, totals } of windows) {
    for (const outcome of ["succeeded", "failed", "retried"] as const) {
      out.push(
        `qml_attempts_${w}{queue="${promLabel(queue)}",outcome="${outcome}"} ${totals[outcome]}`,
      );
    }
  }
  const kinds = [
    ["run", "runMs", "Run times (start to finish)"],
    ["wait", "waitMs", "Wait times (due to start)"],
  ] as const;
  for (const [kind, field, what] of kinds) {
    const name = `qml_${kind}_time_ms_bucket_${w}`;
    out.push(
      `# HELP ${name} ${what} in ms over the last ${w}: attempts at or under le, cumulative.`,
      `# TYPE ${name} gauge`,
    );
    for (const { queue, totals } of windows) {
      out.push(...histogramLines(name, queue, totals[field]));
    }
  }
  return out;
}
