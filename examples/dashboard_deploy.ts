/**
 * The dashboard on Deno Deploy (or `deno serve`): `app.fetch` against a shared
 * Postgres or Redis, where your job servers run elsewhere. Live updates travel
 * through the storage, so the page is live even though no server runs here.
 *
 *     QML_STORAGE_URL=postgres://… QML_DASHBOARD_TOKEN=… deno serve -A examples/dashboard_deploy.ts
 *
 * Settings (environment): `QML_STORAGE_URL` (required), `QML_DASHBOARD_TOKEN` (bearer
 * token; required unless `QML_DASHBOARD_READ_ONLY=1` is set behind your own auth).
 *
 * @module
 */
import { createDashboard } from "../dashboard.ts";
import { openStorage } from "../src/storage/open.ts";

const url = Deno.env.get("QML_STORAGE_URL");
if (!url) {
  throw new Error("set QML_STORAGE_URL to the postgres:// or redis:// URL your servers use");
}
const token = Deno.env.get("QML_DASHBOARD_TOKEN");
const readOnly = Deno.env.get("QML_DASHBOARD_READ_ONLY") === "1";
if (!token && !readOnly) {
  throw new Error("set QML_DASHBOARD_TOKEN (or QML_DASHBOARD_READ_ONLY=1 behind your own auth)");
}

const app = createDashboard({
  storage: await openStorage(url),
  auth: token ? { token } : undefined,
  readOnly,
});

export default { fetch: app.fetch } satisfies Deno.ServeDefaultExport;
