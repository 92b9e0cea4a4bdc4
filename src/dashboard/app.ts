/**
 * `createDashboard`: the dashboard as a Hono app — web UI at `/`, REST under
 * `/api`, live updates on `/ws`. `app.fetch` is all a host needs (Deno.serve,
 * Deno Deploy, your own Hono app): no file reads, no Web Workers.
 *
 * @module
 */
import { Hono } from "hono";
import type { JobChange } from "../activity.ts";
import { JobClient } from "../client.ts";
import { type Clock, systemClock } from "../clock.ts";
import type { Storage } from "../storage/storage.ts";
import { authorize, type DashboardAuth, sameOrigin, validateAuth } from "./auth.ts";
import type { DashboardContext, DashboardEnv } from "./context.ts";
import { ApiError, errorResponse } from "./http_errors.ts";
import { LiveHub, type LiveOptions } from "./live.ts";
import { jobReadRoutes, jobWriteRoutes } from "./routes/jobs.ts";
import { overviewRoutes } from "./routes/overview.ts";
import { prometheusRoutes } from "./routes/prometheus.ts";
import { recurringReadRoutes, recurringWriteRoutes } from "./routes/recurring.ts";
import { uiRoutes } from "./routes/ui.ts";
import { signInPage } from "./ui/sign_in.ts";

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** The storage to show and manage. */
  storage: Storage;
  /** Who may use it; without it every request has full access (bind to loopback only). */
  auth?: DashboardAuth;
  /** Remove every route that changes anything (retry, delete, enqueue, recurring controls). */
  readOnly?: boolean;
  /** Mount point, e.g. `"/jobs"` (default: the root). */
  basePath?: string;
  /** More origins allowed to send mutations, besides the dashboard's own host. */
  allowedOrigins?: string[];
  /**
   * The job servers' heartbeat period, a third of their `lockTtlMs` (default 10 000 ms, for
   * the default 30 s lock): a server silent for three periods is shown as gone.
   */
  serverHeartbeatMs?: number;
  /** Time source of mutations (inject a `ManualClock` in tests). */
  clock?: Clock;
  /** Tuning of live updates (stats push interval, slow-client limit). */
  live?: Omit<LiveOptions, "serverHeartbeatMs">;
}

/**
 * A dashboard app. At run time it is the Hono app itself (so `app.route()` in a Hono
 * app of yours works); its public surface is `fetch`, all a host needs, and `close`.
 */
export interface DashboardApp {
  /** Answer one request: hand it to `Deno.serve`, Deno Deploy or your router. */
  fetch(request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response>;
  /** Close every WebSocket and the storage subscription (not the storage). */
  close(): void;
}

/**
 * Create the dashboard: a Hono app serving the web UI, the REST API and the WebSocket.
 *
 * @example Serve it with Deno.serve
 * ```ts ignore
 * import { createDashboard, MemoryStorage } from "@qml/qml";
 * const app = createDashboard({ storage: new MemoryStorage(), auth: { token: "s3cret-token" } });
 * Deno.serve({ hostname: "127.0.0.1", port: 8080 }, app.fetch);
 * ```
 */
export function createDashboard(options: DashboardOptions): DashboardApp {
  validateAuth(options.auth);
  const base = normaliseBase(options.basePath);
  const storage = options.storage;
  const clock = options.clock ?? systemClock;
  const statsOpts = { serverHeartbeatMs: options.serverHeartbeatMs ?? 10_000 };
  const ctx: DashboardContext = {
    storage,
    client: new JobClient(storage, { clock }),
    clock,
    stats: statsOpts,
    async publish(changes: JobChange[]) {
      // Other dashboards learn about our mutations through storage; losing this only
      // delays their refresh, so a failure here never fails the mutation.
      try {
        await storage.recordActivity({ metrics: [], changes });
      } catch { /* best effort */ }
    },
  };
  const hub = new LiveHub(storage, { ...options.live, ...statsOpts });
  const app = base
    ? new Hono<DashboardEnv>({ strict: false }).basePath(base)
    : new Hono<DashboardEnv>({ strict: false });

  app.onError((err) => errorResponse(err));
  app.notFound(() => errorResponse(new ApiError(404, "NOT_FOUND", "no such route")));

  app.use("*", async (c, next) => {
    // Static, non-secret assets load without auth so the sign-in page can be styled.
    if (c.req.method === "GET" && c.req.path.startsWith(`${base}/assets/`)) return await next();
    const access = await authorize(c.req.raw, options.auth);
    const mutation = !["GET", "HEAD", "OPTIONS"].includes(c.req.method);
    if (access === "none") {
      const wantsPage = c.req.method === "GET" && !c.req.path.startsWith(`${base}/api/`) &&
        c.req.path !== `${base}/ws` && (c.req.header("accept") ?? "").includes("text/html");
      if (wantsPage && options.auth && "token" in options.auth) {
        return signInPage(base);
      }
      const res = errorResponse(new ApiError(401, "UNAUTHORIZED", "authentication required"));
      if (options.auth && "basic" in options.auth) {
        res.headers.set("WWW-Authenticate", 'Basic realm="qml dashboard", charset="UTF-8"');
      }
      return res;
    }
    if (
      (mutation || c.req.path === `${base}/ws`) && !sameOrigin(c.req.raw, options.allowedOrigins)
    ) {
      throw new ApiError(403, "FORBIDDEN", "cross-origin request refused");
    }
    if (mutation && access !== "full") {
      throw new ApiError(403, "FORBIDDEN", "read-only access");
    }
    c.set("access", access);
    await next();
  });

  app.get("/ws", (c) => {
    if ((c.req.header("upgrade") ?? "").toLowerCase() !== "websocket") {
      throw new ApiError(400, "BAD_REQUEST", "expected a WebSocket upgrade");
    }
    const { socket, response } = Deno.upgradeWebSocket(c.req.raw);
    hub.attach(socket);
    return response;
  });
  overviewRoutes(app, ctx);
  prometheusRoutes(app, ctx);
  jobReadRoutes(app, ctx);
  recurringReadRoutes(app, ctx);
  if (!options.readOnly) {
    jobWriteRoutes(app, ctx);
    recurringWriteRoutes(app, ctx);
  }
  uiRoutes(app, { base, readOnly: options.readOnly ?? false });

  return Object.assign(app, { close: () => hub.close() }) as DashboardApp;
}

function normaliseBase(basePath: string | undefined): string {
  if (!basePath || basePath === "/") return "";
  if (!/^\/[\w\-./]*$/.test(basePath) || basePath.includes("..")) {
    throw new TypeError(`basePath: expected a path like "/jobs", got ${JSON.stringify(basePath)}`);
  }
  return basePath.replace(/\/+$/, "");
}
