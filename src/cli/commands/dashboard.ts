/**
 * The dashboard from the command line: `qml dashboard` alone, or beside a
 * server with `qml serve --dashboard HOST:PORT`.
 *
 * @module
 */
import { DashboardServer } from "../../dashboard/serve.ts";
import { openStorage } from "../../storage/open.ts";
import type { Storage } from "../../storage/storage.ts";
import { type CommandContext, type GlobalOptions, storageUrl } from "../context.ts";
import { UsageError } from "../io.ts";

/** Options of `qml dashboard` (and the dashboard part of `qml serve`). */
export interface DashboardCliOptions extends GlobalOptions {
  /** Port (default `QML_DASHBOARD_PORT`, else 8080). */
  port?: number;
  /** Interface (default `QML_DASHBOARD_HOST`, else 127.0.0.1). */
  host?: string;
  /** Remove every mutating route. */
  readOnly?: boolean;
}

/** `HOST:PORT`, `:PORT` or `PORT` → where to listen. */
export function parseListen(text: string): { host?: string; port: number } {
  const m = /^(?:(.*):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[2]);
  if (!m || port > 65535) {
    throw new UsageError(`--dashboard: expected HOST:PORT, :PORT or PORT, got ${text}`);
  }
  return { host: m[1] || undefined, port };
}

/** Start a dashboard on `storage`; the caller stops it. */
export async function startDashboard(
  storage: Storage,
  o: { host?: string; port?: number; readOnly?: boolean },
): Promise<DashboardServer> {
  const dash = new DashboardServer({
    storage,
    hostname: o.host,
    port: o.port,
    readOnly: o.readOnly,
  });
  await dash.start();
  return dash;
}

/** `qml dashboard`: serve the dashboard until SIGINT / SIGTERM. */
export async function dashboard(ctx: CommandContext, o: DashboardCliOptions): Promise<number> {
  const storage = await openStorage(storageUrl(o));
  try {
    const dash = await startDashboard(storage, o);
    ctx.io.err(`qml: dashboard on ${dash.url} (${storage.kind} storage); Ctrl-C to stop`);
    const signal = await ctx.stopSignal;
    ctx.io.err(`qml: ${signal}: stopping`);
    await dash.stop();
    return 0;
  } finally {
    await storage.close();
  }
}
