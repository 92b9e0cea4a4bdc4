/**
 * Building the server's executor from its configuration: Web Workers or
 * inline for most jobs, child processes for isolated workers (or for every
 * job with `execution: "process"`), and the report of a Web Worker that did
 * not stop (log, `server.degraded` / `server.recovered`; `server.health` reads
 * the executor).
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import type { WorkerRegistry } from "../worker.ts";
import type { ServerConfig } from "./config.ts";
import { InlineExecutor } from "./inline_executor.ts";
import { ProcessPool } from "./process_pool.ts";
import type { Executor, ExecutorHooks } from "./protocol.ts";
import { RoutedExecutor } from "./routed_executor.ts";
import { WorkerPool } from "./worker_pool.ts";

/**
 * The executor for `cfg`, reporting through `hooks`.
 *
 * @throws {ConfigError} when a worker needs process isolation but the server was given a
 *   registry object instead of a module URL (children import the module).
 */
export function makeExecutor(
  cfg: ServerConfig,
  registry: WorkerRegistry,
  hooks: ExecutorHooks,
  events: EventBus,
): RoutedExecutor {
  const url = cfg.workers instanceof URL ? cfg.workers.href : undefined;
  const isolated = registry.names().filter((m) => registry.get(m)?.isolation === "process");
  if (!url && isolated.length > 0) {
    throw new ConfigError(
      "workers",
      `worker(s) ${isolated.join(", ")} need isolation "process": give the URL of the ` +
        "workers module (each child process imports it), not the registry object",
    );
  }
  const routed: RoutedExecutor = new RoutedExecutor(registry, hooks, {
    threads: cfg.execution === "process"
      ? undefined
      : (hooks): Executor =>
        cfg.execution === "workers"
          ? new WorkerPool({
            url: url!,
            threads: cfg.threads,
            hooks,
            logger: cfg.logger,
            maxPayloadBytes: cfg.maxPayloadBytes,
            onStuck: (method, exited) => reportStuck(cfg, events, routed, method, exited),
          })
          : new InlineExecutor(registry, hooks, cfg.maxPayloadBytes),
    processes: url
      ? (hooks) =>
        new ProcessPool({
          url,
          processes: cfg.threads,
          hooks,
          logger: cfg.logger,
          maxPayloadBytes: cfg.maxPayloadBytes,
          permissionsOf: (m) => registry.get(m)?.permissions,
          eager: cfg.execution === "process",
        })
      : undefined,
  });
  return routed;
}

// A terminated Web Worker of `method` still runs: move the worker, say so until it ends.
function reportStuck(
  cfg: ServerConfig,
  events: EventBus,
  routed: RoutedExecutor,
  method: string,
  exited: Promise<void>,
): void {
  const reason = `a Web Worker terminated at the hard timeout of a "${method}" job is still ` +
    "running (stuck in synchronous code; this Deno cannot stop it)";
  cfg.logger.error(`${reason}; "${method}" jobs now run in child processes`, { method });
  routed.threadStuck(method, exited, () => {
    cfg.logger.info(`the stuck Web Worker thread of "${method}" has ended`, { method });
    if (events.wants("server.recovered")) {
      events.emit("server.recovered", { serverName: cfg.serverName, at: cfg.clock.now(), method });
    }
  });
  if (events.wants("server.degraded")) {
    events.emit("server.degraded", {
      serverName: cfg.serverName,
      at: cfg.clock.now(),
      method,
      reason,
    });
  }
}
