/**
 * `deno task start` (examples/dashboard_demo.ts) produces every kind of job with the
 * dashboard answering; examples/dashboard_deploy.ts serves `app.fetch` with `deno serve`.
 */
import assert from "node:assert/strict";
import { waitUntil } from "../_helpers/poll.ts";

async function firstLine(stream: ReadableStream<Uint8Array>, re: RegExp): Promise<RegExpExecArray> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const m = re.exec(text);
    if (m) {
      void (async () => {
        while (!(await reader.read()).done) { /* drain */ }
      })();
      return m;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${re}: ${text}`);
    text += value;
  }
}

Deno.test("examples/dashboard_demo.ts: a steady mix of jobs, live on the dashboard", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      "examples/dashboard_demo.ts",
    ],
    env: { QML_DEMO_SECONDS: "120", QML_DASHBOARD_PORT: "0", QML_STORAGE_URL: "memory://" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const [, url] = await firstLine(child.stdout, /dashboard: (http:\/\/\S+)/);
    const get = async (path: string) => await (await fetch(url + path)).json();
    await waitUntil(async () => {
      const s = (await get("api/stats")).byState;
      return s.Succeeded > 0 && s.Scheduled > 0 && s.AwaitingRetry + s.Failed > 0;
    }, { timeoutMs: 60_000, intervalMs: 200, what: "succeeded, scheduled and retried jobs" });
    const names = (await get("api/recurring")).templates.map((t: { name: string }) => t.name);
    assert.deepEqual(names.sort(), ["cleanup-sessions", "nightly-report"]);
    const page = await fetch(url);
    assert.match(await page.text(), /qml dashboard/);
    child.kill("SIGINT"); // Ctrl-C: a graceful stop
    assert.equal((await child.status).code, 0);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await child.status;
  }
});

Deno.test("deno task start keeps its jobs in ./qml.db across a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qml_demo_" });
  const demo = new URL("../../examples/dashboard_demo.ts", import.meta.url).pathname;
  // The README's command, in a fresh directory, with no storage URL: the default applies.
  const start = () =>
    new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-sys",
        demo,
      ],
      cwd: dir,
      env: { QML_DEMO_SECONDS: "120", QML_DASHBOARD_PORT: "0" },
      clearEnv: false,
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
  const run = async (check: (stats: Record<string, number>) => boolean) => {
    const env = Deno.env.get("QML_STORAGE_URL");
    if (env !== undefined) Deno.env.delete("QML_STORAGE_URL");
    const child = start();
    if (env !== undefined) Deno.env.set("QML_STORAGE_URL", env);
    try {
      const [, url] = await firstLine(child.stdout, /dashboard: (http:\/\/\S+)/);
      let last: Record<string, number> = {};
      await waitUntil(async () => {
        last = (await (await fetch(url + "api/stats")).json()).byState;
        return check(last);
      }, { timeoutMs: 60_000, intervalMs: 200, what: "the demo's jobs" });
      child.kill("SIGINT");
      assert.equal((await child.status).code, 0);
      return last;
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* exited */ }
      await child.status;
    }
  };
  try {
    const first = await run((s) => s.Succeeded >= 5);
    assert.ok((await Deno.stat(`${dir}/qml.db`)).isFile, "the default storage is ./qml.db");
    // Right after the restart, the first run's succeeded jobs are all still there.
    const second = await run(() => true);
    assert.ok(second.Succeeded >= first.Succeeded, `${second.Succeeded} < ${first.Succeeded}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("examples/dashboard_deploy.ts serves app.fetch under deno serve, with auth", async () => {
  const port = 18_000 + Math.floor(Math.random() * 2000);
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "serve",
      "-A",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "examples/dashboard_deploy.ts",
    ],
    env: { QML_STORAGE_URL: "memory://", QML_DASHBOARD_TOKEN: "deploy-token-1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    await firstLine(child.stderr, /Listening on/);
    const base = `http://127.0.0.1:${port}`;
    const denied = await fetch(`${base}/api/stats`);
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const ok = await fetch(`${base}/api/stats`, {
      headers: { authorization: "Bearer deploy-token-1" },
    });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).byState.Enqueued, 0);
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
});
