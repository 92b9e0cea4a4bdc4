/**
 * Server registry plugin: records this server in storage when it starts and with every
 * heartbeat period (so a dashboard in any process lists the cluster), and forgets
 * servers that have been silent for {@link SERVER_PRUNE_PERIODS} periods. Whether a
 * recorded server is shown alive is `serverStatus` in `server_info.ts`. Not leased:
 * every server records itself; pruning is idempotent.
 *
 * @module
 */
import { SERVER_PRUNE_PERIODS, type ServerInfo } from "../server_info.ts";
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

/** What the server tells the plugin about itself; `heartbeatAt` is added at each tick. */
export type ServerDescription = Omit<ServerInfo, "heartbeatAt">;

/**
 * Record the server every `intervalMs` (its heartbeat period) and prune servers silent
 * for {@link SERVER_PRUNE_PERIODS} periods. `describe` is called at each tick, so
 * `inFlight` is current. Heartbeat times are the storage's clock.
 *
 * @example
 * ```ts
 * import { MemoryStorage } from "../storage/memory/memory_storage.ts";
 * import { systemClock } from "../clock.ts";
 * import { serverRegistryPlugin } from "./server_registry.ts";
 * const storage = new MemoryStorage();
 * const plugin = serverRegistryPlugin(
 *   { storage, clock: systemClock, serverName: "s1", logger: console },
 *   {
 *     intervalMs: 10_000,
 *     describe: () => ({
 *       name: "s1", host: "box", pid: 1, startedAt: new Date(), queues: ["default"],
 *       concurrency: 4, inFlight: 0, execution: "inline", version: "0.1.0",
 *     }),
 *   },
 * );
 * await plugin.tick(new Date());
 * console.log((await storage.listServers()).length); // 1
 * ```
 */
export function serverRegistryPlugin(
  ctx: PluginContext,
  opts: { intervalMs: number; describe: () => ServerDescription },
): MaintenancePlugin {
  return {
    name: "server-registry",
    intervalMs: opts.intervalMs,
    leased: false,
    async tick() {
      const now = await ctx.storage.time();
      await ctx.storage.recordServer({ server: { ...opts.describe(), heartbeatAt: now } });
      const before = new Date(now.getTime() - SERVER_PRUNE_PERIODS * opts.intervalMs);
      return await ctx.storage.pruneServers({ before });
    },
  };
}
