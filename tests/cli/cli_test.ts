/**
 * The `qml` CLI run as users run it: the real entry in a subprocess, against
 * Postgres and Redis (a fresh schema / key prefix per test).
 */
import assert from "node:assert/strict";
import { JobClient } from "../../src/client.ts";
import { createJob } from "../../src/job.ts";
import { JobState } from "../../src/job_state.ts";
import { decide, type Outcome } from "../../src/transitions.ts";
import { openStorage } from "../../src/storage/open.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { dropSchema, TEST_DATABASE_URL, testSchema } from "../_helpers/postgres.ts";
import { dropPrefix, TEST_REDIS_URL, testPrefix } from "../_helpers/redis.ts";
import { waitUntil } from "../_helpers/poll.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;
const WORKERS = new URL("../fixtures/workers/test_workers.ts", import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function qml(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", CLI, ...args],
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

interface Backend {
  name: string;
  /** A fresh storage URL and its cleanup. */
  fresh(): { url: string; cleanup(): Promise<void> };
}

const backends: Backend[] = [
  {
    name: "sqlite",
    fresh() {
      const dir = Deno.makeTempDirSync({ prefix: "qml_cli_" });
      return {
        url: `sqlite:${dir}/jobs.db`,
        cleanup: () => Deno.remove(dir, { recursive: true }),
      };
    },
  },
  {
    name: "postgres",
    fresh() {
      const schema = testSchema();
      const url = new URL(TEST_DATABASE_URL);
      url.searchParams.set("schema", schema);
      return { url: url.href, cleanup: () => dropSchema(schema) };
    },
  },
  {
    name: "redis",
    fresh() {
      const prefix = testPrefix();
      const url = new URL(TEST_REDIS_URL);
      url.searchParams.set("prefix", prefix);
      return { url: url.href, cleanup: () => dropPrefix(prefix) };
    },
  },
];

Deno.test("bad arguments exit 2 with one line on stderr", async () => {
  for (
    const args of [
      ["jobs", "list", "--bogus"],
      ["enqueue", "x", "--args", "{not json"],
      ["nosuchcommand"],
      ["jobs", "retry"],
      ["jobs", "list", "--state", "sleeping"],
      ["enqueue", "x", "--delay", "soon"],
      ["purge", "--older-than", "a week"],
      ["purge"],
    ]
  ) {
    const r = await qml([...args, "--storage", "memory://"]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `one line for ${args.join(" ")}, got:\n${r.stderr}`);
    assert.match(lines[0], /^error: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
  }
});

Deno.test("an unreachable storage fails with exit 1 and one line", async () => {
  const r = await qml(["stats", "--storage", "redis://127.0.0.1:1"]);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
});

for (const b of backends) {
  Deno.test(`[${b.name}] enqueue, serve until SIGTERM, stats and jobs as JSON`, async () => {
    const { url, cleanup } = b.fresh();
    let storage: Storage | undefined;
    try {
      for (let i = 0; i < 3; i++) {
        const r = await qml([
          "enqueue",
          "noop",
          "--args",
          `{"i":${i}}`,
          "--storage",
          url,
          "--json",
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).state, JobState.Enqueued);
      }
      const failing = await qml([
        "enqueue",
        "always_fails",
        "--max-attempts",
        "1",
        "--queue",
        "q2",
        "--storage",
        url,
      ]);
      assert.equal(failing.code, 0, failing.stderr);

      const server = new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "--quiet",
          CLI,
          "serve",
          "--storage",
          url,
          "--workers",
          WORKERS,
          "--queues",
          "default,q2",
          "--execution",
          "inline",
        ],
        env: { NO_COLOR: "1" },
        stdout: "null",
        stderr: "piped",
      }).spawn();
      storage = await openStorage(url);
      const client = new JobClient(storage);
      await waitUntil(async () => {
        const c = await client.counts();
        return c.byState.Succeeded === 3 && c.byState.Failed === 1;
      }, { timeoutMs: 20_000, what: "the CLI server to run every job" });
      server.kill("SIGTERM");
      const done = await server.output();
      const stderr = new TextDecoder().decode(done.stderr);
      assert.equal(done.code, 0, stderr);
      assert.match(stderr, /SIGTERM: stopping gracefully/);

      const stats = await qml(["stats", "--storage", url, "--json"]);
      assert.equal(stats.code, 0, stats.stderr);
      assert.equal(JSON.parse(stats.stdout).byState.Succeeded, 3);

      const listed = await qml(["jobs", "list", "--state", "failed", "--storage", url, "--json"]);
      assert.equal(listed.code, 0, listed.stderr);
      const page = JSON.parse(listed.stdout);
      assert.equal(page.jobs.length, 1);
      assert.equal(page.jobs[0].method, "always_fails");

      const shown = await qml(["jobs", "show", page.jobs[0].id, "--storage", url]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /TypeError: nope/);

      // A filter retries every match and nothing else.
      const retried = await qml(["jobs", "retry", "--state", "failed", "--storage", url, "--json"]);
      assert.equal(retried.code, 0, retried.stderr);
      assert.deepEqual(JSON.parse(retried.stdout), { action: "retry", count: 1 });
      const after = await client.counts();
      assert.equal(after.byState.Failed, 0);
      assert.equal(after.byQueue.q2?.Enqueued, 1);
      assert.equal(after.byState.Succeeded, 3);
    } finally {
      await storage?.close();
      await cleanup();
    }
  });
}

Deno.test("[postgres] migrate --dry-run lists pending migrations and applies none", async () => {
  const { url, cleanup } = backends.find((b) => b.name === "postgres")!.fresh();
  try {
    const dry = await qml(["migrate", "--dry-run", "--storage", url, "--json"]);
    assert.equal(dry.code, 0, dry.stderr);
    const pending = JSON.parse(dry.stdout).pending as string[];
    assert.ok(pending.length > 0 && pending[0].startsWith("0001"), dry.stdout);
    const again = await qml(["migrate", "--dry-run", "--storage", url, "--json"]);
    assert.deepEqual(JSON.parse(again.stdout).pending, pending, "nothing was applied");
    const real = await qml(["migrate", "--storage", url, "--json"]);
    assert.deepEqual(JSON.parse(real.stdout).applied, pending);
    const last = await qml(["migrate", "--dry-run", "--storage", url]);
    assert.match(last.stdout, /up to date/);
  } finally {
    await cleanup();
  }
});

Deno.test("[redis] migrate says there is nothing to migrate", async () => {
  const { url, cleanup } = backends.find((b) => b.name === "redis")!.fresh();
  try {
    const r = await qml(["migrate", "--storage", url]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no schema migrations/);
  } finally {
    await cleanup();
  }
});

Deno.test("health: 0 when the storage answers and is migrated, 1 otherwise", async () => {
  const { url, cleanup } = backends.find((b) => b.name === "postgres")!.fresh();
  try {
    const unmigrated = await qml(["health", "--storage", url, "--json"]);
    assert.equal(unmigrated.code, 1, unmigrated.stdout);
    assert.match(JSON.parse(unmigrated.stdout).error, /pending migrations/);
    assert.equal((await qml(["migrate", "--storage", url])).code, 0);
    const ok = await qml(["health", "--storage", url, "--json"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).ok, true);
    const redis = await qml(["health", "--storage", TEST_REDIS_URL]);
    assert.equal(redis.code, 0, redis.stderr);
    assert.match(redis.stdout, /^ok: redis/);
  } finally {
    await cleanup();
  }
});

for (const b of backends) {
  Deno.test(`[${b.name}] recurring list, pause, resume, trigger and remove`, async () => {
    const { url, cleanup } = b.fresh();
    let storage: Storage | undefined;
    try {
      storage = await openStorage(url);
      const client = new JobClient(storage);
      await client.scheduleRecurring("nightly", "0 3 * * *", "noop", { kind: "n" });
      await storage.close();
      storage = undefined;

      const listed = await qml(["recurring", "list", "--storage", url, "--json"]);
      assert.equal(listed.code, 0, listed.stderr);
      const [t] = JSON.parse(listed.stdout);
      assert.equal(t.name, "nightly");
      assert.equal(t.nextRuns.length, 3);
      assert.match(t.nextRuns[0], /T03:00:00\.000Z$/);

      assert.equal((await qml(["recurring", "pause", "nightly", "--storage", url])).code, 0);
      const paused = JSON.parse(
        (await qml(["recurring", "list", "--storage", url, "--json"])).stdout,
      );
      assert.equal(paused[0].paused, true);
      assert.deepEqual(paused[0].nextRuns, []);
      assert.equal((await qml(["recurring", "resume", "nightly", "--storage", url])).code, 0);

      const triggered = await qml(["recurring", "trigger", "nightly", "--storage", url, "--json"]);
      assert.equal(triggered.code, 0, triggered.stderr);
      const job = JSON.parse(triggered.stdout);
      assert.equal(job.method, "noop");
      assert.deepEqual(job.args, { kind: "n" });

      const missing = await qml(["recurring", "pause", "nope", "--storage", url]);
      assert.equal(missing.code, 1);
      assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
      assert.equal((await qml(["recurring", "remove", "nightly", "--storage", url])).code, 0);
      assert.equal((await qml(["recurring", "remove", "nightly", "--storage", url])).code, 1);
    } finally {
      await storage?.close();
      await cleanup();
    }
  });
}

for (const b of backends) {
  Deno.test(`[${b.name}] purge --older-than deletes old final jobs, keeps recent and live ones`, async () => {
    const { url, cleanup } = b.fresh();
    let storage: Storage | undefined;
    try {
      storage = await openStorage(url);
      const now = (await storage.time()).getTime();
      const day = 86_400_000;
      const old = new Date(now - 10 * day);
      const jobs = Array.from(
        { length: 5 },
        (_, i) => createJob({ method: "noop", args: { i }, now: old }),
      );
      await storage.enqueue({ jobs, now: old });
      const [a, b2, c, d] = await storage.fetchAndLock({
        queues: ["default"],
        limit: 4,
        serverName: "s1",
        lockTtlMs: 60_000,
        now: old,
      });
      const error = { name: "E", message: "x" };
      const finish = (j: typeof a, o: Outcome, at: Date) =>
        storage!.transition({
          items: [{
            id: j.id,
            guard: { state: j.state },
            next: decide(j, o, { now: at, server: "s1" }),
          }],
          now: at,
        });
      await finish(a, { type: "succeeded", result: 1 }, old);
      await finish(b2, { type: "failed", error, retryable: false }, old);
      await finish(c, { type: "succeeded", result: 2 }, new Date(now - day));
      await storage.close();
      storage = undefined;

      const r = await qml(["purge", "--older-than", "7d", "--storage", url, "--json"]);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), { purged: 2 });
      const text = await qml(["purge", "--older-than", "7d", "--storage", url]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /^purged 0 job/);

      storage = await openStorage(url);
      assert.equal(await storage.get({ id: a.id }), null);
      assert.equal(await storage.get({ id: b2.id }), null);
      assert.equal((await storage.get({ id: c.id }))?.state, JobState.Succeeded, "recent stays");
      assert.equal((await storage.get({ id: d.id }))?.state, JobState.Processing, "live stays");
      assert.equal((await storage.get({ id: jobs[4].id }))?.state, JobState.Enqueued);
      const counts = await storage.counts();
      assert.equal(counts.byState.Succeeded + counts.byState.Failed, 1);
    } finally {
      await storage?.close();
      await cleanup();
    }
  });
}

Deno.test("qml dashboard: refuses 0.0.0.0 without auth; with QML_DASHBOARD_TOKEN it asks for it", async () => {
  const { url, cleanup } = backends.find((b) => b.name === "sqlite")!.fresh();
  try {
    const refused = await qml(["dashboard", "--host", "0.0.0.0", "--port", "0", "--storage", url]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /refusing to serve the dashboard on 0\.0\.0\.0 without auth/);

    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", CLI, "dashboard", "--port", "0", "--storage", url],
      env: { NO_COLOR: "1", QML_DASHBOARD_TOKEN: "s3cret-token" },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!/dashboard on (http:\/\/\S+\/)/.test(text)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`dashboard did not start: ${text}`);
      text += value;
    }
    const base = /dashboard on (http:\/\/\S+\/)/.exec(text)![1];
    const anonymous = await fetch(base + "api/stats");
    await anonymous.body?.cancel();
    assert.equal(anonymous.status, 401);
    const authed = await fetch(base + "api/stats", {
      headers: { authorization: "Bearer s3cret-token" },
    });
    assert.equal(authed.status, 200);
    assert.ok((await authed.json()).byState);
    child.kill("SIGTERM");
    for (let r = await reader.read(); !r.done; r = await reader.read()) text += r.value;
    assert.equal((await child.status).code, 0, text);
    assert.match(text, /SIGTERM: stopping/);
  } finally {
    await cleanup();
  }
});
