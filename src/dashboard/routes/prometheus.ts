/**
 * `GET /metrics`: the stats in the Prometheus text format, behind the same auth
 * as the rest of the dashboard (scrape with a bearer token or basic credentials).
 *
 * @module
 */
import type { Hono } from "hono";
import { ALL_STATES } from "../../job_state.ts";
import type { DashboardContext, DashboardEnv } from "../context.ts";
import { readStats, type Stats } from "../stats.ts";
import { historyText, promLabel as label, readHistoryWindow } from "../prometheus_history.ts";

/** The stats (and the history window's lines, if given) as Prometheus text exposition. */
export function prometheusText(stats: Stats, history: readonly string[] = []): string {
  const out: string[] = [
    "# HELP qml_jobs Jobs in storage by state.",
    "# TYPE qml_jobs gauge",
    ...ALL_STATES.map((s) => `qml_jobs{state="${s}"} ${stats.byState[s]}`),
    "# HELP qml_queue_jobs Jobs in storage by queue and state.",
    "# TYPE qml_queue_jobs gauge",
  ];
  for (const [queue, counts] of Object.entries(stats.byQueue)) {
    for (const s of ALL_STATES) {
      out.push(`qml_queue_jobs{queue="${label(queue)}",state="${s}"} ${counts[s]}`);
    }
  }
  out.push(
    "# HELP qml_servers Recorded job servers by status.",
    "# TYPE qml_servers gauge",
    `qml_servers{status="alive"} ${stats.servers.alive}`,
    `qml_servers{status="gone"} ${stats.servers.gone}`,
    "# HELP qml_jobs_per_second Finished attempts per second over the last minute.",
    "# TYPE qml_jobs_per_second gauge",
    `qml_jobs_per_second ${stats.jobsPerSecond}`,
    "# HELP qml_failures_per_second Failed attempts per second over the last minute.",
    "# TYPE qml_failures_per_second gauge",
    `qml_failures_per_second ${stats.failuresPerSecond}`,
    ...history,
  );
  return out.join("\n") + "\n";
}

/** Register `GET /metrics`. */
export function prometheusRoutes(app: Hono<DashboardEnv>, ctx: DashboardContext): void {
  app.get(
    "/metrics",
    async () => {
      const stats = await readStats(ctx.storage, ctx.stats);
      const windows = await readHistoryWindow(ctx.storage, stats.at, Object.keys(stats.byQueue));
      return new Response(prometheusText(stats, historyText(windows)), {
        headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
      });
    },
  );
}
