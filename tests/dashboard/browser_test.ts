/**
 * The web UI in headless Chromium: it loads, updates live without reload, finds
 * a job by an args value, retries one job and a whole filter, and shows hostile
 * args as text. Skipped with a message when /usr/bin/chromium is missing
 * (`.ci/run` installs it).
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { DashboardServer } from "../../src/dashboard/serve.ts";
import type { JobChange } from "../../src/activity.ts";
import type { Job } from "../../src/job.ts";
import { emptyHistogram } from "../../src/metrics.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { hasChromium, launch } from "./_browser.ts";
import { enqueue, finishAll } from "./_harness.ts";

// Functions passed to page.evaluate run in the browser; these names are the page's.
declare const document: any;
declare const window: any;
declare const matchMedia: (q: string) => { matches: boolean };
type HTMLElement = any;

const XSS_ARGS = {
  note: "<script>window.__xss = 1</script>",
  attr: '"><img src=x onerror="window.__xss = 2">',
};

/** Publish what a server publishes after a result batch: metrics deltas and changes. */
async function publishBatch(storage: MemoryStorage, jobs: Job[], type: "succeeded" | "failed") {
  const now = await storage.time();
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const runMs = emptyHistogram();
  runMs[2] = jobs.length;
  const changes: JobChange[] = jobs.map((j) => ({
    type,
    id: j.id,
    queue: j.queue,
    method: j.method,
    state: type === "succeeded" ? "Succeeded" : "Failed",
    at: now,
  }));
  await storage.recordActivity({
    metrics: [{
      at: minute,
      queue: jobs[0].queue,
      method: jobs[0].method,
      succeeded: type === "succeeded" ? jobs.length : 0,
      failed: type === "failed" ? jobs.length : 0,
      retried: 0,
      runMs,
      waitMs: emptyHistogram(),
    }],
    changes,
  });
}

const count = (page: Page, state: string) =>
  page.$eval(
    `[data-state-count="${state}"] .n`,
    (el) => Number(el.textContent!.replace(/\D/g, "")),
  );

Deno.test({
  name: "browser: the dashboard UI in headless Chromium",
  ignore: !hasChromium(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const storage = new MemoryStorage();
    const dash = new DashboardServer({ storage, port: 0, live: { statsIntervalMs: 100 } });
    await dash.start();
    const chrome = await launch();
    const page = await chrome.browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("dialog", (d) => void d.accept());
    try {
      await t.step("the UI loads with counts by state", async () => {
        await enqueue(storage, [{ method: "seed" }, { method: "seed" }]);
        await page.goto(dash.url);
        await page.waitForSelector('[data-state-count="Enqueued"]');
        await page.waitForFunction(
          () => document.querySelector('[data-state-count="Enqueued"] .n')?.textContent === "2",
        );
        assert.equal(await count(page, "Succeeded"), 0);
        assert.match(await page.$eval("#live", (e) => e.textContent!), /live/);
      });

      await t.step("counts and chart update live, without reload, when jobs complete", async () => {
        await page.evaluate(() => ((window as any).__sameDocument = true));
        const before = await page.$eval("#chart", (e) => Number((e as HTMLElement).dataset.total));
        const done = await finishAll(storage, ["default"], "succeeded");
        await publishBatch(storage, done, "succeeded");
        await page.waitForFunction(
          () => document.querySelector('[data-state-count="Succeeded"] .n')?.textContent === "2",
          { timeout: 5_000 },
        );
        await page.waitForFunction(
          (b) => Number((document.querySelector("#chart") as HTMLElement).dataset.total) >= b + 2,
          { timeout: 5_000 },
          before,
        );
        assert.equal(await count(page, "Enqueued"), 0);
        assert.equal(await page.evaluate(() => (window as any).__sameDocument), true, "no reload");
        const feed = await page.$eval("#feed", (e) => e.textContent!);
        assert.match(feed, /succeeded/);
      });

      await t.step("search finds a job by an args value", async () => {
        const [wanted] = await enqueue(storage, [
          { method: "send_email", args: { to: "zed@example.com", plan: "gold" } },
          { method: "send_email", args: { to: "amy@example.com", plan: "free" } },
        ]);
        await page.goto(`${dash.url}#/jobs`);
        await page.waitForSelector("#filters input[name=search]");
        await page.type("#filters input[name=search]", "zed@example");
        await page.click("#filters button[type=submit]");
        await page.waitForFunction(
          (id) => {
            const rows = document.querySelectorAll("#jobs tr[data-job]");
            return rows.length === 1 && (rows[0] as HTMLElement).dataset.job === id;
          },
          { timeout: 5_000 },
          wanted.id,
        );
      });

      await t.step("the retry button requeues a failed job", async () => {
        const [job] = await enqueue(storage, [{ method: "flaky", queue: "one" }]);
        await finishAll(storage, ["one"], "failed");
        await page.goto(`${dash.url}#/jobs/${job.id}`);
        await page.waitForSelector('[data-action="retry"]');
        assert.match(await page.$eval("main", (e) => e.textContent!), /boom/);
        await page.click('[data-action="retry"]');
        await waitUntil(async () => (await storage.get({ id: job.id }))?.state === "Enqueued", {
          what: "the job to be requeued",
        });
        await page.waitForSelector('main [data-badge="Enqueued"]');
      });

      await t.step("bulk retry applies to every job of a filter", async () => {
        await enqueue(
          storage,
          Array.from({ length: 3 }, () => ({ method: "batch", queue: "bulkq" })),
        );
        await finishAll(storage, ["bulkq"], "failed");
        await page.goto(`${dash.url}#/jobs?state=Failed&queue=bulkq`);
        await page.waitForFunction(() =>
          document.querySelectorAll("#jobs tr[data-job]").length === 3
        );
        await page.click("#bulk-retry");
        await waitUntil(async () => (await storage.counts()).byQueue.bulkq.Enqueued === 3, {
          what: "the three jobs to be requeued",
        });
        await page.waitForFunction(() => document.querySelector("#jobs .empty") !== null);
      });

      await t.step("hostile args render as text and never run", async () => {
        const [job] = await enqueue(storage, [{ method: "xss", args: XSS_ARGS, queue: "xss" }]);
        await finishAll(storage, ["xss"], "failed");
        await page.goto(`${dash.url}#/jobs?queue=xss`);
        await page.waitForSelector(`#jobs tr[data-job="${job.id}"]`);
        const cell = await page.$eval(
          `#jobs tr[data-job="${job.id}"] .args`,
          (e) => e.textContent!,
        );
        assert.match(cell, /<script>window.__xss = 1<\/script>/);
        await page.goto(`${dash.url}#/jobs/${job.id}`);
        await page.waitForSelector("#args");
        const shown = await page.$eval("#args", (e) => e.textContent!);
        assert.ok(shown.includes(XSS_ARGS.note) && shown.includes("onerror"));
        assert.equal(await page.$$eval("main img, main script", (els) => els.length), 0);
        assert.equal(await page.evaluate(() => (window as any).__xss), undefined);
      });

      await t.step("the theme toggle flips dark and light", async () => {
        const before = await page.evaluate(() =>
          document.documentElement.dataset.theme ??
            (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light")
        );
        await page.click("#theme");
        const after = await page.evaluate(() => document.documentElement.dataset.theme);
        assert.notEqual(after, before);
      });
      assert.deepEqual(errors, [], "no script error on any page");
    } finally {
      await chrome.close();
      await dash.stop();
      await storage.close();
    }
  },
});

Deno.test({
  name: "browser: a running job server's results reach the overview live",
  ignore: !hasChromium(),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { BackgroundJobServer } = await import("../../src/server/job_server.ts");
    const { JobClient } = await import("../../src/client.ts");
    const { defineWorker, WorkerRegistry } = await import("../../src/worker.ts");
    const ok = defineWorker({ name: "ok", execute: (a: { i: number }) => a.i });
    const bad = defineWorker({
      name: "bad",
      retry: { maxAttempts: 1 },
      execute: () => {
        throw new Error("nope");
      },
    });
    const registry = new WorkerRegistry().register(ok).register(bad);
    const storage = new MemoryStorage();
    const dash = new DashboardServer({ storage, port: 0, live: { statsIntervalMs: 100 } });
    const server = new BackgroundJobServer({
      storage,
      workers: registry,
      execution: "inline",
      pollIntervalMs: 50,
      enableRecurring: false,
      enableCleanup: false,
      logLevel: "silent",
    });
    await dash.start();
    const chrome = await launch();
    try {
      const page = await chrome.browser.newPage();
      await page.goto(dash.url);
      await page.waitForSelector('[data-state-count="Succeeded"]');
      await server.start();
      const client = new JobClient(storage, { registry });
      for (let i = 0; i < 5; i++) await client.enqueue(ok, { i });
      await client.enqueue(bad, { i: 0 } as never);
      await page.waitForFunction(
        () =>
          document.querySelector('[data-state-count="Succeeded"] .n')?.textContent === "5" &&
          document.querySelector('[data-state-count="Failed"] .n')?.textContent === "1",
        { timeout: 5_000 },
      );
      await page.waitForFunction(
        () => Number((document.querySelector("#chart") as HTMLElement).dataset.total) >= 6,
        { timeout: 5_000 },
      );
    } finally {
      await server.stop();
      await chrome.close();
      await dash.stop();
      await storage.close();
    }
  },
});
