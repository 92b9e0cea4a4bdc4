/**
 * `/api/stats`, `/api/queues`, `/api/servers` and `/api/metrics`: what the
 * overview shows, each at a fixed cost whatever the number of jobs.
 *
 * @module
 */
import type { Hono } from "hono";
import type { DashboardContext, DashboardEnv } from "../context.ts";
import { badRequest } from "../http_errors.ts";
import { METRIC_WINDOWS, type MetricWindow, readSeries } from "../series.ts";
import { percentile, readServers, readStats, sumBuckets } from "../stats.ts";

const MINUTE = 60_000;

/** Register the overview routes. */
export function overviewRoutes(app: Hono<DashboardEnv>, ctx: DashboardContext): void {
  app.get("/api/stats", async (c) => c.json(await readStats(ctx.storage, ctx.stats)));

  app.get("/api/servers", async (c) => {
    const now = await ctx.storage.time();
    return c.json({ servers: await readServers(ctx.storage, now, ctx.stats) });
  });

  app.get("/api/queues", async (c) => {
    const now = await ctx.storage.time();
    const since = new Date(Math.floor(now.getTime() / MINUTE) * MINUTE - MINUTE);
    const to = new Date(now.getTime() + 1);
    const [counts, oldest] = await Promise.all([ctx.storage.counts(), ctx.storage.oldestReady()]);
    const names = Object.keys(counts.byQueue).sort();
    // One metrics read per queue: a handful of queues, never a scan of jobs.
    const perQueue = await Promise.all(
      names.map((queue) =>
        ctx.storage.queryMetrics({ from: since, to, resolution: "minute", queue })
      ),
    );
    const seconds = Math.max(1, (now.getTime() - since.getTime()) / 1000);
    const queues = names.map((name, i) => {
      const t = sumBuckets(perQueue[i]);
      return {
        name,
        counts: counts.byQueue[name],
        // How long the oldest ready job has waited (storage clock; 0 when due in the future).
        oldestReadyAgeMs: oldest[name] ? Math.max(0, now.getTime() - oldest[name].getTime()) : null,
        jobsPerSecond: Math.round(((t.succeeded + t.failed + t.retried) / seconds) * 100) / 100,
        waitP95Ms: percentile(t.waitMs, 0.95),
        runP95Ms: percentile(t.runMs, 0.95),
      };
    });
    return c.json({ queues });
  });

  app.get("/api/metrics", async (c) => {
    const window = c.req.query("window") ?? "1h";
    if (!(window in METRIC_WINDOWS)) {
      throw badRequest(`window: expected one of ${Object.keys(METRIC_WINDOWS).join(", ")}`);
    }
    const queue = c.req.query("queue") || undefined;
    const method = c.req.query("method") || undefined;
    const now = await ctx.storage.time();
    return c.json(
      await readSeries(ctx.storage, { window: window as MetricWindow, queue, method, now }),
    );
  });
}
