/**
 * `qml serve`: a job server (and, with `--dashboard`, the dashboard) until
 * SIGINT or SIGTERM, then a graceful stop.
 *
 * @module
 */
import { BackgroundJobServer } from "../../server/job_server.ts";
import type { ExecutionMode } from "../../server/config.ts";
import { openStorage } from "../../storage/open.ts";
import { type CommandContext, type GlobalOptions, storageUrl } from "../context.ts";
import { UsageError } from "../io.ts";
import { moduleUrl } from "../module_url.ts";
import { parseListen, startDashboard } from "./dashboard.ts";

/** Options of `qml serve`. */
export interface ServeOptions extends GlobalOptions {
  /** The workers module (path or URL); its default export is a WorkerRegistry. */
  workers: string;
  /** Jobs in flight at once. */
  concurrency?: number;
  /** Queues in strict priority order. */
  queues?: string[];
  /** Web Workers in the pool. */
  threads?: number;
  /** `workers` (default) or `inline`. */
  execution?: string;
  /** Server name (default: host and pid). */
  name?: string;
  /** Also serve the dashboard here (`HOST:PORT`, `:PORT` or `PORT`). */
  dashboard?: string;
}

/** `qml serve`. */
export async function serve(ctx: CommandContext, o: ServeOptions): Promise<number> {
  const execution = o.execution as ExecutionMode | undefined;
  if (execution !== undefined && !["workers", "inline"].includes(execution)) {
    throw new UsageError(`--execution: expected workers or inline, got ${o.execution}`);
  }
  const listen = o.dashboard === undefined ? undefined : parseListen(o.dashboard);
  const storage = await openStorage(storageUrl(o));
  try {
    const server = new BackgroundJobServer({
      storage,
      workers: moduleUrl(o.workers),
      concurrency: o.concurrency,
      queues: o.queues,
      threads: o.threads,
      execution,
      serverName: o.name,
    });
    await server.start();
    const dash = listen ? await startDashboard(storage, listen) : undefined;
    ctx.io.err(
      `qml: server ${server.serverName} running on ${storage.kind} storage${
        dash ? `, dashboard on ${dash.url}` : ""
      }; Ctrl-C to stop`,
    );
    const signal = await ctx.stopSignal;
    ctx.io.err(`qml: ${signal}: stopping gracefully`);
    await dash?.stop();
    await server.stop();
    return 0;
  } finally {
    await storage.close();
  }
}
