/** Auth: token, basic, resolver, read-only, CSRF, and the DashboardServer's bind rules. */
import assert from "node:assert/strict";
import { createDashboard } from "../../src/dashboard/app.ts";
import { constantTimeEqual } from "../../src/dashboard/auth.ts";
import { DashboardServer } from "../../src/dashboard/serve.ts";
import { ConfigError } from "../../src/errors.ts";
import { call, eachBackend, enqueue, finishAll } from "./_harness.ts";

const TOKEN = "t0ken-of-the-test";

eachBackend("token auth: every route needs the bearer token or its cookie", async (storage) => {
  const app = createDashboard({ storage, auth: { token: TOKEN } });
  for (const path of ["/api/stats", "/api/jobs", "/api/recurring", "/api/servers", "/ws"]) {
    const res = await call(app.fetch, "GET", path);
    assert.equal(res.status, 401, path);
    assert.equal(res.body.error.code, "UNAUTHORIZED");
  }
  const wrong = await call(app.fetch, "GET", "/api/stats", {
    headers: { authorization: "Bearer nope" },
  });
  assert.equal(wrong.status, 401);
  const ok = await call(app.fetch, "GET", "/api/stats", {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(ok.status, 200);
  const cookie = await call(app.fetch, "GET", "/api/stats", {
    headers: { cookie: `other=1; qml_dashboard_token=${encodeURIComponent(TOKEN)}` },
  });
  assert.equal(cookie.status, 200);
  const post = await call(app.fetch, "POST", "/api/jobs", { body: { method: "m" } });
  assert.equal(post.status, 401);
  assert.equal((await storage.counts()).byState.Enqueued, 0);
  // A browser without the token gets the sign-in page, not the UI.
  const page = await call(app.fetch, "GET", "/", { headers: { accept: "text/html" } });
  assert.equal(page.status, 401);
  assert.match(page.body, /Access token/);
  assert.doesNotMatch(page.body, /data-nav/);
  // Static assets carry no data and load without auth (the sign-in page needs its style).
  assert.equal((await call(app.fetch, "GET", "/assets/app.css")).status, 200);
});

eachBackend("basic auth: 401 with a challenge, then full access", async (storage) => {
  const app = createDashboard({
    storage,
    auth: { basic: { username: "admin", password: "pw:with:colons" } },
  });
  const none = await call(app.fetch, "GET", "/api/jobs");
  assert.equal(none.status, 401);
  assert.match(none.headers.get("www-authenticate") ?? "", /^Basic/);
  const basic = (u: string, p: string) => ({ authorization: `Basic ${btoa(`${u}:${p}`)}` });
  assert.equal(
    (await call(app.fetch, "GET", "/api/jobs", { headers: basic("admin", "wrong") })).status,
    401,
  );
  assert.equal(
    (await call(app.fetch, "GET", "/api/jobs", { headers: basic("root", "pw:with:colons") }))
      .status,
    401,
  );
  assert.equal(
    (await call(app.fetch, "GET", "/api/jobs", { headers: basic("admin", "pw:with:colons") }))
      .status,
    200,
  );
  const post = await call(app.fetch, "POST", "/api/jobs", {
    body: { method: "m" },
    headers: basic("admin", "pw:with:colons"),
  });
  assert.equal(post.status, 201);
});

eachBackend(
  "resolver: full, read (403 on mutations) and none (401), per request",
  async (storage) => {
    const app = createDashboard({
      storage,
      auth: {
        authorize: (req) => {
          const who = req.headers.get("x-user");
          return who === "admin" ? "full" : who === "viewer" ? "read" : "none";
        },
      },
    });
    const [job] = await enqueue(storage, [{}]);
    await finishAll(storage, ["default"], "failed");
    const as = (user: string) => ({ headers: { "x-user": user } });
    assert.equal((await call(app.fetch, "GET", "/api/jobs", as("viewer"))).status, 200);
    const denied = await call(app.fetch, "POST", `/api/jobs/${job.id}/retry`, as("viewer"));
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error.code, "FORBIDDEN");
    assert.equal((await storage.get({ id: job.id }))?.state, "Failed");
    assert.equal((await call(app.fetch, "GET", "/api/jobs", as("stranger"))).status, 401);
    assert.equal(
      (await call(app.fetch, "POST", `/api/jobs/${job.id}/retry`, as("admin"))).status,
      200,
    );
    assert.equal((await storage.get({ id: job.id }))?.state, "Enqueued");
  },
);

eachBackend("readOnly removes every mutating route", async (storage) => {
  const app = createDashboard({ storage, readOnly: true });
  const [job] = await enqueue(storage, [{}]);
  assert.equal((await call(app.fetch, "GET", "/api/jobs")).status, 200);
  assert.equal((await call(app.fetch, "GET", `/api/jobs/${job.id}`)).status, 200);
  const mutations: [string, string, unknown?][] = [
    ["POST", "/api/jobs", { method: "m" }],
    ["POST", `/api/jobs/${job.id}/retry`],
    ["POST", `/api/jobs/${job.id}/delete`],
    ["DELETE", `/api/jobs/${job.id}`],
    ["POST", "/api/jobs/bulk", { action: "delete", filter: {} }],
    ["POST", "/api/recurring/x/trigger"],
    ["POST", "/api/recurring/x/pause"],
    ["DELETE", "/api/recurring/x"],
  ];
  for (const [method, path, body] of mutations) {
    const res = await call(app.fetch, method, path, { body });
    assert.equal(res.status, 404, `${method} ${path}`);
  }
  assert.equal((await storage.get({ id: job.id }))?.state, "Enqueued");
  const page = await call(app.fetch, "GET", "/");
  assert.match(page.body, /data-readonly="1"/);
});

eachBackend("mutations from another origin are refused (CSRF)", async (storage) => {
  const app = createDashboard({ storage });
  const [job] = await enqueue(storage, [{}]);
  const evil = await call(app.fetch, "POST", `/api/jobs/${job.id}/delete`, {
    headers: { origin: "https://evil.example" },
  });
  assert.equal(evil.status, 403);
  const site = await call(app.fetch, "POST", `/api/jobs/${job.id}/delete`, {
    headers: { "sec-fetch-site": "cross-site" },
  });
  assert.equal(site.status, 403);
  assert.equal((await storage.get({ id: job.id }))?.state, "Enqueued");
  const ws = await call(app.fetch, "GET", "/ws", { headers: { origin: "https://evil.example" } });
  assert.equal(ws.status, 403, "cross-site WebSocket hijacking is refused");
  const same = await call(app.fetch, "POST", `/api/jobs/${job.id}/delete`, {
    headers: { origin: "http://dash.test" },
  });
  assert.equal(same.status, 200);
});

Deno.test("constant-time comparison is exact", () => {
  assert.equal(constantTimeEqual("abc", "abc"), true);
  assert.equal(constantTimeEqual("abc", "abd"), false);
  assert.equal(constantTimeEqual("abc", "abcd"), false);
  assert.equal(constantTimeEqual("", ""), true);
  assert.equal(constantTimeEqual("é", "e"), false);
});

Deno.test("auth options are checked at creation", async () => {
  const { MemoryStorage } = await import("../../src/storage/memory/memory_storage.ts");
  const storage = new MemoryStorage();
  assert.throws(() => createDashboard({ storage, auth: { token: "short" } }), /token/);
  assert.throws(() => createDashboard({ storage, auth: {} as never }), /auth/);
  assert.throws(() => createDashboard({ storage, basePath: "no-slash" }), /basePath/);
  await storage.close();
});

Deno.test("DashboardServer binds loopback by default and refuses an open bind without auth", async () => {
  const { MemoryStorage } = await import("../../src/storage/memory/memory_storage.ts");
  const storage = new MemoryStorage();
  assert.throws(() => new DashboardServer({ storage, hostname: "0.0.0.0" }), ConfigError);
  assert.throws(
    () =>
      new DashboardServer({ storage, hostname: "0.0.0.0", port: 70000, auth: { token: TOKEN } }),
    ConfigError,
  );
  // Allowed with auth, or when told so explicitly (not started: no port is taken).
  new DashboardServer({ storage, hostname: "0.0.0.0", auth: { token: TOKEN } });
  new DashboardServer({ storage, hostname: "0.0.0.0", allowUnauthenticated: true });

  const dash = new DashboardServer({ storage, port: 0, basePath: "/jobs" });
  await dash.start();
  try {
    assert.match(dash.url, /^http:\/\/127\.0\.0\.1:\d+\/jobs\/$/);
    const res = await fetch(`${dash.url}api/stats`);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).byState.Enqueued, 0);
    const page = await fetch(dash.url);
    assert.match(page.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.match(await page.text(), /data-base="\/jobs"/);
  } finally {
    await dash.stop();
    await storage.close();
  }
});
