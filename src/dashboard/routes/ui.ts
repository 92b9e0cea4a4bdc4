/**
 * The web UI: one HTML page and its script and style, embedded as strings
 * (no file reads at request time, nothing fetched from elsewhere).
 *
 * @module
 */
import type { Hono } from "hono";
import type { DashboardEnv } from "../context.ts";
import { securityHeaders } from "../ui/headers.ts";
import { pageHtml } from "../ui/page.ts";
import { SIGN_IN_JS } from "../ui/sign_in.ts";
import { APP_CSS } from "../ui/style.ts";
import { APP_JS } from "../ui/script.ts";

/** Register `/`, `/assets/app.js`, `/assets/app.css` and `/assets/sign_in.js`. */
export function uiRoutes(app: Hono<DashboardEnv>, o: { base: string; readOnly: boolean }): void {
  const html = pageHtml(o);
  const page = () =>
    new Response(html, {
      headers: {
        "content-type": "text/html; charset=utf-8",
        "cache-control": "no-store",
        ...securityHeaders(),
      },
    });
  const asset = (body: string, type: string) => () =>
    new Response(body, {
      headers: { "content-type": type, "cache-control": "no-cache", ...securityHeaders() },
    });
  app.get("/", page);
  app.get("/index.html", page);
  app.get("/assets/app.js", asset(APP_JS, "text/javascript; charset=utf-8"));
  app.get("/assets/sign_in.js", asset(SIGN_IN_JS, "text/javascript; charset=utf-8"));
  app.get("/assets/app.css", asset(APP_CSS, "text/css; charset=utf-8"));
}
