/**
 * The dashboard demo: a job server running a steady mix of succeeding,
 * failing, retried, scheduled and recurring jobs, with the dashboard on
 * http://127.0.0.1:8080. Serves until Ctrl-C.
 *
 *     deno task start
 *
 * Storage: the embedded SQLite file `./qml.db` (kept across restarts), or
 * `QML_STORAGE_URL` (`memory://`, `postgres://…`, `redis://…`). `QML_DASHBOARD_PORT` moves the dashboard;
 * `QML_DEMO_SECONDS` stops the demo by itself after that many seconds.
 *
 * @module
 */
import { DashboardServer } from "../dashboard.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { DEFAULT_STORAGE_URL, openStorage } from "../src/storage/open.ts";
import {
  chargeCard,
  cleanupSessions,
  renderReport,
  sendEmail,
  syncInventory,
} from "./workers/dashboard_workers.ts";

const storage = await openStorage(Deno.env.get("QML_STORAGE_URL") ?? DEFAULT_STORAGE_URL);
const server = new BackgroundJobServer({
  storage,
  workers: new URL("./workers/dashboard_workers.ts", import.meta.url),
  queues: ["critical", "default", "reports"],
  concurrency: 8,
  threads: 2,
  pollIntervalMs: 200,
  logLevel: "warn",
});
const dashboard = new DashboardServer({ storage });
await server.start();
await dashboard.start();
await server.scheduleRecurring("cleanup-sessions", "*/15 * * * * *", cleanupSessions, {
  olderThanDays: 30,
});
await server.scheduleRecurring("nightly-report", "0 2 * * *", renderReport, {
  report: "nightly",
  pages: 12,
}, { queue: "reports" });
console.log(`dashboard: ${dashboard.url}   (storage: ${storage.kind}; Ctrl-C stops)`);

const people = ["ada", "grace", "linus", "margaret", "alan", "barbara", "ken", "radia"];
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
let order = 1000;

// A steady producer: a few jobs every half second, of every kind.
async function produce(): Promise<void> {
  const c = server.client;
  const roll = Math.random();
  await c.enqueue(sendEmail, {
    to: `${pick(people)}@example.com`,
    template: pick(["welcome", "receipt", "digest"]),
  });
  if (roll < 0.6) {
    await c.enqueue(chargeCard, {
      orderId: `A-${order++}`,
      cents: 500 + Math.floor(Math.random() * 20_000),
    }, {
      queue: "critical",
    });
  }
  if (roll < 0.15) {
    await c.enqueue(renderReport, { report: pick(["sales", "churn", "usage"]), pages: 8 }, {
      queue: "reports",
    });
  }
  if (roll < 0.08) await c.enqueue(syncInventory, { warehouse: pick(["berlin", "lyon", "porto"]) });
  if (roll > 0.85) {
    await c.enqueue(sendEmail, { to: `${pick(people)}@example.com`, template: "reminder" }, {
      delayMs: 5_000 + Math.floor(Math.random() * 25_000),
    });
  }
}

const stop = new AbortController();
const seconds = Number(Deno.env.get("QML_DEMO_SECONDS") ?? 0);
if (seconds > 0) setTimeout(() => stop.abort(), seconds * 1000);
try {
  Deno.addSignalListener("SIGINT", () => stop.abort());
} catch { /* no signals on this platform */ }

while (!stop.signal.aborted) {
  await produce().catch((err) => console.error("enqueue failed:", err.message));
  await new Promise((r) => setTimeout(r, 500));
}
console.log("stopping…");
await dashboard.stop();
await server.stop();
await storage.close();
Deno.exit(0);
