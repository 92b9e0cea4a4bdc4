/**
 * The WebSocket hub on memory: job changes published through storage reach the
 * sockets whose view they concern, in order; stats follow, throttled; a slow
 * client is dropped; the socket needs the same auth as the API.
 */
import assert from "node:assert/strict";
import type { JobChange } from "../../src/activity.ts";
import { CLOSE_TOO_SLOW, LIVE_CHANGES_MAX } from "../../src/dashboard/live.ts";
import { DashboardServer } from "../../src/dashboard/serve.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { enqueue, finishAll } from "./_harness.ts";
import { openSocket } from "./_socket.ts";

function change(id: string, type: JobChange["type"], state: JobChange["state"]): JobChange {
  return { type, id, queue: "default", method: "m", state, at: new Date() };
}

async function withDashboard(
  fn: (storage: MemoryStorage, ws: string) => Promise<void>,
  opts: { maxBufferedBytes?: number; token?: string } = {},
): Promise<void> {
  const storage = new MemoryStorage();
  const dash = new DashboardServer({
    storage,
    port: 0,
    live: { statsIntervalMs: 50, serversIntervalMs: 100, maxBufferedBytes: opts.maxBufferedBytes },
    auth: opts.token ? { token: opts.token } : undefined,
  });
  await dash.start();
  try {
    await fn(storage, `ws://127.0.0.1:${dash.port}/ws`);
  } finally {
    await dash.stop();
    await storage.close();
  }
}

Deno.test("[memory] job changes reach the socket in order, then stats follow", async () => {
  await withDashboard(async (storage, url) => {
    const ws = await openSocket(url);
    try {
      await ws.next((m) => m.type === "hello");
      const first = await ws.next((m) => m.type === "stats");
      assert.equal(first.stats.byState.Succeeded, 0);
      const [job] = await enqueue(storage, [{}]);
      await finishAll(storage, ["default"], "succeeded");
      await storage.recordActivity({
        metrics: [],
        changes: [
          change(job.id, "started", "Processing"),
          change(job.id, "succeeded", "Succeeded"),
        ],
      });
      const jobs = await ws.next((m) => m.type === "jobs");
      assert.deepEqual(jobs.changes.map((c: JobChange) => c.type), ["started", "succeeded"]);
      assert.equal(jobs.changes[0].id, job.id);
      const at = ws.messages.indexOf(jobs);
      const stats = await ws.next((m) => m.type === "stats" && m.stats.byState.Succeeded === 1, {
        from: at,
      });
      assert.ok(ws.messages.indexOf(stats) > at);
    } finally {
      await ws.close();
    }
  });
});

Deno.test("[memory] a socket gets job events only for the view it subscribed to", async () => {
  await withDashboard(async (storage, url) => {
    const ws = await openSocket(url);
    try {
      await ws.next((m) => m.type === "hello");
      ws.send({ type: "subscribe", view: { kind: "job", id: "wanted" } });
      await ws.next((m) => m.type === "subscribed");
      await storage.recordActivity({
        metrics: [],
        changes: [change("other", "started", "Processing")],
      });
      await storage.recordActivity({
        metrics: [],
        changes: [change("wanted", "progress", "Processing")],
      });
      const got = await ws.next((m) => m.type === "jobs");
      assert.deepEqual(got.changes.map((c: JobChange) => c.id), ["wanted"]);
      ws.send({ type: "subscribe", view: { kind: "jobs", queue: "mail" } });
      await ws.next((m) => m.type === "subscribed" && m.view.kind === "jobs");
      const from = ws.messages.length;
      await storage.recordActivity({
        metrics: [],
        changes: [change("x", "started", "Processing"), {
          ...change("y", "started", "Processing"),
          queue: "mail",
        }],
      });
      const mail = await ws.next((m) => m.type === "jobs", { from });
      assert.deepEqual(mail.changes.map((c: JobChange) => c.id), ["y"]);
      ws.send({ type: "subscribe", view: { kind: "nonsense" } });
      await ws.next((m) => m.type === "error");
    } finally {
      await ws.close();
    }
  });
});

Deno.test("[memory] stats are pushed at most once per interval however many changes come", async () => {
  await withDashboard(async (storage, url) => {
    const ws = await openSocket(url);
    try {
      await ws.next((m) => m.type === "stats");
      const start = Date.now();
      const from = ws.messages.length;
      for (let i = 0; i < 40; i++) {
        await storage.recordActivity({
          metrics: [],
          changes: [change(`j${i}`, "started", "Processing")],
        });
      }
      await waitUntil(() => Date.now() - start > 300);
      const stats = ws.messages.slice(from).filter((m) => m.type === "stats").length;
      const elapsed = Date.now() - start;
      assert.ok(stats >= 1, "changes produce a stats push");
      assert.ok(stats <= Math.ceil(elapsed / 50) + 1, `${stats} pushes in ${elapsed} ms`);
    } finally {
      await ws.close();
    }
  });
});

Deno.test("[memory] a burst of changes is pushed as its newest LIVE_CHANGES_MAX, the rest counted", async () => {
  await withDashboard(async (storage, url) => {
    const [a, b] = [await openSocket(url), await openSocket(url)];
    try {
      await a.next((m) => m.type === "hello");
      await b.next((m) => m.type === "hello");
      const burst = LIVE_CHANGES_MAX + 30;
      await storage.recordActivity({
        metrics: [],
        changes: Array.from({ length: burst }, (_, i) => change(`j${i}`, "started", "Processing")),
      });
      for (const ws of [a, b]) {
        const jobs = await ws.next((m) => m.type === "jobs");
        assert.equal(jobs.omitted, 30);
        assert.deepEqual(
          jobs.changes.map((c: JobChange) => c.id),
          Array.from({ length: LIVE_CHANGES_MAX }, (_, i) => `j${i + 30}`),
        );
      }
    } finally {
      await a.close();
      await b.close();
    }
  });
});

Deno.test("[memory] changes a publisher left out are told to every view, even one none of the carried changes concern", async () => {
  await withDashboard(async (storage, url) => {
    const ws = await openSocket(url);
    try {
      await ws.next((m) => m.type === "hello");
      ws.send({ type: "subscribe", view: { kind: "job", id: "wanted" } });
      await ws.next((m) => m.type === "subscribed");
      await storage.recordActivity({
        metrics: [],
        changes: [change("other", "succeeded", "Succeeded")],
        omitted: 7,
      });
      // The left-out changes may include the watched job: the page is told, so it reloads.
      const told = await ws.next((m) => m.type === "jobs");
      assert.deepEqual([told.changes, told.omitted], [[], 7]);
      const from = ws.messages.length;
      await storage.recordActivity({
        metrics: [],
        changes: [change("other", "started", "Processing")],
      });
      await storage.recordActivity({
        metrics: [],
        changes: [change("wanted", "progress", "Processing")],
      });
      // Nothing left out and nothing of its own: nothing is sent for the first one.
      const next = await ws.next((m) => m.type === "jobs", { from });
      assert.deepEqual(next.changes.map((c: JobChange) => c.id), ["wanted"]);
      assert.equal(next.omitted, undefined);
    } finally {
      await ws.close();
    }
  });
});

Deno.test("[memory] a client that cannot keep up is dropped, the hub goes on", async () => {
  await withDashboard(async (_storage, url) => {
    const ws = await openSocket(url);
    await waitUntil(() => ws.closedWith !== null, { what: "the slow client to be dropped" });
    assert.equal(ws.closedWith, CLOSE_TOO_SLOW);
    await ws.close();
  }, { maxBufferedBytes: -1 });
});

Deno.test("[memory] the socket needs the same auth as the API", async () => {
  await withDashboard(async (_storage, url) => {
    await assert.rejects(openSocket(url));
    const res = await fetch(url.replace("ws:", "http:"), {
      headers: { upgrade: "websocket", authorization: "Bearer wrong-token!" },
    });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  }, { token: "right-token!" });
});

Deno.test("[memory] server joins and departures are pushed", async () => {
  await withDashboard(async (storage, url) => {
    const ws = await openSocket(url);
    try {
      await ws.next((m) => m.type === "stats");
      const now = await storage.time();
      await storage.recordServer({
        server: {
          name: "srv-1",
          host: "h",
          pid: 1,
          startedAt: now,
          heartbeatAt: now,
          queues: ["default"],
          concurrency: 2,
          inFlight: 0,
          execution: "inline",
          version: "0.1.0",
        },
      });
      const joined = await ws.next((m) => m.type === "servers" && m.joined.length === 1);
      assert.equal(joined.joined[0].name, "srv-1");
      assert.equal(joined.joined[0].status, "alive");
      await storage.removeServer({ name: "srv-1" });
      const left = await ws.next((m) => m.type === "servers" && m.left.length === 1);
      assert.deepEqual(left.left, ["srv-1"]);
    } finally {
      await ws.close();
    }
  });
});
