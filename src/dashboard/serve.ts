/**
 * `DashboardServer`: the dashboard on its own port with `Deno.serve`.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { createDashboard, type DashboardApp, type DashboardOptions } from "./app.ts";
import type { DashboardAuth } from "./auth.ts";

/** Options of a {@link DashboardServer}: the dashboard's, plus where to listen. */
export interface DashboardServerOptions extends DashboardOptions {
  /** Interface to bind (default `QML_DASHBOARD_HOST`, else `127.0.0.1`). */
  hostname?: string;
  /** Port (default `QML_DASHBOARD_PORT`, else 8080; 0 picks a free one). */
  port?: number;
  /**
   * Allow binding a non-loopback address without `auth` (you secure it some other way).
   * Without `auth` in code, `QML_DASHBOARD_TOKEN` or `QML_DASHBOARD_USER` +
   * `QML_DASHBOARD_PASSWORD` set it (see {@link authFromEnv}).
   */
  allowUnauthenticated?: boolean;
}

/**
 * The dashboard served by `Deno.serve`. Refuses a non-loopback address without auth,
 * so a job system's controls are never opened to a network by accident.
 *
 * @example
 * ```ts ignore
 * import { DashboardServer, MemoryStorage } from "@qml/qml";
 * const dash = new DashboardServer({ storage: new MemoryStorage(), port: 8080 });
 * await dash.start();
 * console.log(`dashboard on ${dash.url}`);
 * await dash.stop();
 * ```
 */
export class DashboardServer {
  readonly #options: DashboardServerOptions;
  readonly #hostname: string;
  readonly #port: number;
  #app: DashboardApp | null = null;
  #server: Deno.HttpServer<Deno.NetAddr> | null = null;
  #abort: AbortController | null = null;

  /** Check the options; nothing listens until {@link start}. */
  constructor(options: DashboardServerOptions) {
    options = { ...options, auth: options.auth ?? authFromEnv() };
    this.#options = options;
    this.#hostname = options.hostname ?? env("QML_DASHBOARD_HOST") ?? "127.0.0.1";
    const port = options.port ?? Number(env("QML_DASHBOARD_PORT") ?? 8080);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConfigError("port", `expected an integer 0..65535, got ${port}`);
    }
    this.#port = port;
    if (!options.auth && !options.allowUnauthenticated && !isLoopback(this.#hostname)) {
      throw new ConfigError(
        "hostname",
        `refusing to serve the dashboard on ${this.#hostname} without auth: set auth, bind 127.0.0.1, ` +
          "or pass allowUnauthenticated: true if something in front of it authenticates",
      );
    }
  }

  /** The URL it listens on (after {@link start}). */
  get url(): string {
    if (!this.#server) throw new ConfigError("server", "not started");
    const { hostname, port } = this.#server.addr;
    const host = hostname.includes(":") ? `[${hostname}]` : hostname;
    return `http://${host}:${port}${this.#options.basePath?.replace(/\/+$/, "") ?? ""}/`;
  }

  /** The port it listens on (after {@link start}). */
  get port(): number {
    if (!this.#server) throw new ConfigError("server", "not started");
    return this.#server.addr.port;
  }

  /** Start listening. */
  start(): Promise<void> {
    if (this.#server) return Promise.resolve();
    const app = createDashboard(this.#options);
    this.#app = app;
    this.#abort = new AbortController();
    return new Promise((resolve) => {
      this.#server = Deno.serve({
        hostname: this.#hostname,
        port: this.#port,
        signal: this.#abort!.signal,
        onListen: () => resolve(),
      }, app.fetch);
    });
  }

  /** Close live sockets and stop listening (the storage stays open: it is yours). */
  async stop(): Promise<void> {
    if (!this.#server) return;
    this.#app?.close();
    this.#abort?.abort();
    await this.#server.finished;
    this.#server = null;
    this.#app = null;
  }
}

/**
 * Auth from the environment, for a dashboard given none in code: `QML_DASHBOARD_TOKEN`
 * (bearer), or `QML_DASHBOARD_USER` with `QML_DASHBOARD_PASSWORD` (basic). Secrets belong
 * in the environment, not on a command line that every user of the machine can read.
 */
export function authFromEnv(): DashboardAuth | undefined {
  const token = env("QML_DASHBOARD_TOKEN");
  if (token) return { token };
  const username = env("QML_DASHBOARD_USER"), password = env("QML_DASHBOARD_PASSWORD");
  return username && password ? { basic: { username, password } } : undefined;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\./.test(host);
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env: defaults apply
  }
}
