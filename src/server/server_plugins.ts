/**
 * The maintenance plugins a `BackgroundJobServer` runs, chosen from its configuration: the
 * server registry always, clock sync on a storage clock, then scheduler and rescuer, cron
 * and retention as enabled. At start their first ticks run in this order, one after
 * another (see src/maintenance/runner.ts): retention last, as the one whose first tick may
 * be long (a sweep of everything that expired while no server ran).
 *
 * @module
 */
import { clockSyncPlugin } from "../maintenance/clock_sync.ts";
import { cronPlugin } from "../maintenance/cron_scheduler.ts";
import type { MaintenancePlugin, PluginContext } from "../maintenance/plugin.ts";
import { rescuerPlugin } from "../maintenance/rescuer.ts";
import { retentionPlugin } from "../maintenance/retention.ts";
import { type ServerDescription, serverRegistryPlugin } from "../maintenance/server_registry.ts";
import { schedulerPlugin } from "../maintenance/scheduler.ts";
import { CLOCK_SYNC_INTERVAL_MS, StorageClock } from "../storage_clock.ts";
import { retentionTtls } from "../transitions.ts";
import type { WorkerRegistry } from "../worker.ts";
import type { ServerConfig } from "./config.ts";

/** The context every plugin of a server gets. */
export function pluginContext(cfg: ServerConfig): PluginContext {
  const { storage, clock, serverName, logger } = cfg;
  return { storage, clock, serverName, logger };
}

/** How often a server heartbeats (its locks and its registry record): a third of the lock TTL. */
export function heartbeatMs(cfg: ServerConfig): number {
  return Math.max(10, Math.floor(cfg.lockTtlMs / 3));
}

/** The plugins of a server with `cfg`; `describe` gives its registry record. */
export function serverPlugins(
  cfg: ServerConfig,
  registry: WorkerRegistry | undefined,
  describe: () => ServerDescription,
): MaintenancePlugin[] {
  const ctx = pluginContext(cfg);
  const ttls = retentionTtls(cfg.succeededTtlMs, cfg.failedTtlMs);
  const plugins: MaintenancePlugin[] = [
    serverRegistryPlugin(ctx, { intervalMs: heartbeatMs(cfg), describe }),
  ];
  if (cfg.clock instanceof StorageClock) {
    // The server measured the clock just before starting its plugins.
    plugins.push(
      clockSyncPlugin(ctx, { clock: cfg.clock, firstTickMs: CLOCK_SYNC_INTERVAL_MS }),
    );
  }
  if (cfg.enableScheduler) {
    plugins.push(schedulerPlugin(ctx, { intervalMs: cfg.pollIntervalMs }));
    plugins.push(
      rescuerPlugin(ctx, { intervalMs: Math.max(10, Math.floor(cfg.lockTtlMs / 2)), ttls }),
    );
  }
  if (cfg.enableRecurring) {
    plugins.push(cronPlugin(ctx, { intervalMs: cfg.recurringPollIntervalMs, registry }));
  }
  if (cfg.enableCleanup) {
    plugins.push(retentionPlugin(ctx, { intervalMs: cfg.cleanupIntervalMs }));
  }
  return plugins;
}
