/**
 * The qml dashboard: a live web UI, a REST API and WebSocket push over any qml
 * storage, as a Hono app whose `app.fetch` runs anywhere (Deno.serve, your own
 * Hono app, Deno Deploy). It imports no Web Worker or job-server code.
 *
 * @example Mount it
 * ```ts ignore
 * import { createDashboard } from "@qml/qml/dashboard";
 * import { openStorage } from "@qml/qml";
 *
 * const storage = await openStorage(Deno.env.get("QML_STORAGE_URL") ?? "memory://");
 * const app = createDashboard({ storage, auth: { token: Deno.env.get("QML_DASHBOARD_TOKEN")! } });
 * Deno.serve({ hostname: "127.0.0.1", port: 8080 }, app.fetch);
 * ```
 *
 * @example Its own server
 * ```ts ignore
 * import { DashboardServer } from "@qml/qml/dashboard";
 * import { MemoryStorage } from "@qml/qml";
 * const dash = new DashboardServer({ storage: new MemoryStorage() }); // 127.0.0.1:8080
 * await dash.start();
 * ```
 *
 * @module
 */
export { createDashboard, type DashboardApp, type DashboardOptions } from "./src/dashboard/app.ts";
export { DashboardServer, type DashboardServerOptions } from "./src/dashboard/serve.ts";
export { type DashboardAccess, type DashboardAuth } from "./src/dashboard/auth.ts";
export type { DashboardEnv } from "./src/dashboard/context.ts";
export type { LiveView } from "./src/dashboard/live.ts";
export type { ServerView, Stats } from "./src/dashboard/stats.ts";
export type { MetricWindow, Series, SeriesPoint } from "./src/dashboard/series.ts";
export type { JobFilter } from "./src/dashboard/filters.ts";
export type { BulkAction } from "./src/dashboard/bulk.ts";
export type { RecurringView } from "./src/dashboard/routes/recurring.ts";
export type { JobSummary } from "./src/dashboard/routes/jobs.ts";
