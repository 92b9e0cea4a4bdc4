/** RedisStorage pieces that need no Redis: config, codec, signals, deadlines, the policy check. */
import assert from "node:assert/strict";
import type { Redis } from "ioredis";
import { ConfigError, StorageError } from "../../src/errors.ts";
import { createJob } from "../../src/job.ts";
import { redactUrl, resolveRedisConfig } from "../../src/storage/redis/config.ts";
import { checkMaxmemoryPolicy } from "../../src/storage/redis/connection.ts";
import { decodeJob, encodeJob, JOB_FIELDS } from "../../src/storage/redis/codec.ts";
import { Deadlines } from "../../src/storage/redis/deadlines.ts";
import { RedisKeys } from "../../src/storage/redis/keys.ts";
import { SCRIPT_LIB, SCRIPT_SOURCES } from "../../src/storage/redis/scripts.ts";
import { decodeSignal } from "../../src/storage/redis/subscriber.ts";

Deno.test("config: defaults", () => {
  const cfg = resolveRedisConfig({ url: "redis://h:1", keyPrefix: "p" });
  assert.equal(cfg.commandTimeoutMs, 10_000);
  assert.equal(cfg.connectTimeoutMs, 10_000);
  assert.equal(cfg.completedJobTtlMs, null);
  assert.equal(cfg.maxmemoryPolicy, "warn");
  assert.equal(cfg.autoPipelining, false);
  assert.equal(cfg.cluster, null);
});

Deno.test("config: REDIS_URL and QML_REDIS_PREFIX are the fallbacks", () => {
  const old = [Deno.env.get("REDIS_URL"), Deno.env.get("QML_REDIS_PREFIX")];
  try {
    Deno.env.set("REDIS_URL", "redis://envhost:6390");
    Deno.env.set("QML_REDIS_PREFIX", "envprefix");
    const cfg = resolveRedisConfig();
    assert.equal(cfg.url, "redis://envhost:6390");
    assert.equal(cfg.keyPrefix, "envprefix");
    assert.equal(resolveRedisConfig({ keyPrefix: "given" }).keyPrefix, "given");
  } finally {
    for (const [k, v] of [["REDIS_URL", old[0]], ["QML_REDIS_PREFIX", old[1]]] as const) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
  }
});

Deno.test("config: invalid options name the option and the accepted range", () => {
  const bad: [Parameters<typeof resolveRedisConfig>[0], RegExp][] = [
    [{ keyPrefix: "{x}" }, /keyPrefix.*braces/],
    [{ keyPrefix: "" }, /keyPrefix.*1\.\.64/],
    [{ keyPrefix: "a b" }, /keyPrefix/],
    [{ url: "http://x" }, /url.*redis:\/\//],
    [{ url: "not a url" }, /url/],
    [{ commandTimeoutMs: -1 }, /commandTimeoutMs.*0\.\./],
    [{ connectTimeoutMs: 0 }, /connectTimeoutMs.*1\.\./],
    [{ completedJobTtlMs: 1.5 }, /completedJobTtlMs/],
    [{ maxmemoryPolicy: "ignore" as "warn" }, /maxmemoryPolicy.*"warn" or "fail"/],
    [{ cluster: { nodes: [] } }, /cluster\.nodes/],
    [{ cluster: { nodes: ["nohost"] } }, /cluster\.nodes\[0\].*host:port/],
    [{ cluster: { nodes: [{ host: "h", port: 70_000 }] } }, /cluster\.nodes\[0\].*1\.\.65535/],
  ];
  for (const [config, message] of bad) {
    assert.throws(() => resolveRedisConfig({ url: "redis://h:1", keyPrefix: "p", ...config }), (
      err: unknown,
    ) => err instanceof ConfigError && message.test(err.message), JSON.stringify(config));
  }
  const nodes = resolveRedisConfig({ keyPrefix: "p", cluster: { nodes: ["a:7000", "[::1]:7001"] } })
    .cluster!.nodes;
  assert.deepEqual(nodes, [{ host: "a", port: 7000 }, { host: "::1", port: 7001 }]);
});

Deno.test("config: passwords never reach messages", () => {
  assert.equal(redactUrl("redis://user:s3cret@h:1/0"), "redis://user:***@h:1/0");
  assert.throws(
    () => resolveRedisConfig({ url: "http://u:s3cret@h", keyPrefix: "p" }),
    (err: unknown) => err instanceof ConfigError && !err.message.includes("s3cret"),
  );
});

Deno.test("codec: JOB_FIELDS matches the list in _lib.lua", () => {
  const m = /local JOB_FIELDS = \{([^}]*)\}/.exec(SCRIPT_LIB);
  assert.ok(m, "JOB_FIELDS not found in _lib.lua");
  const lua = [...m[1].matchAll(/'([A-Za-z]+)'/g)].map((x) => x[1]);
  assert.deepEqual(lua, [...JOB_FIELDS]);
});

Deno.test("codec: every script documents KEYS, ARGV and its return value", () => {
  for (const [name, src] of Object.entries(SCRIPT_SOURCES)) {
    const header = /^--\[\[([\s\S]*?)\]\]/.exec(src)?.[1] ?? "";
    for (const word of ["KEYS[1]", "Returns"]) assert.ok(header.includes(word), `${name}: ${word}`);
    assert.ok(header.includes("ARGV") || !src.includes("ARGV"), `${name}: ARGV`);
  }
});

Deno.test("codec: a job encodes to the script layout and decodes back", () => {
  const job = createJob({
    method: "m",
    args: { a: [1, "x"] },
    now: new Date(1_000),
    uniqueKey: "k",
  });
  const [id, values, history] = encodeJob(job);
  assert.equal(values.length, JOB_FIELDS.length);
  const absent = values.map((v) => (v === "" ? false : v));
  assert.deepEqual(decodeJob([id, absent, history]), job);
  assert.equal(decodeJob(false), null);
  assert.equal(decodeJob([id, JOB_FIELDS.map(() => false), []]), null);
});

Deno.test("keys: one hash tag per prefix", () => {
  const k = new RedisKeys("app:jobs");
  assert.equal(k.base, "{app:jobs}:");
  assert.equal(k.job("x"), "{app:jobs}:j:x");
  assert.equal(k.queueState("q", "Enqueued"), "{app:jobs}:qs:q:Enqueued");
  assert.equal(k.channel, "{app:jobs}:signals");
  assert.equal(k.pattern, "\\{app:jobs\\}:*");
});

Deno.test("signals: decode ready and cancelled, ignore the rest", () => {
  assert.deepEqual(decodeSignal("rmail:q"), { kind: "ready", queue: "mail:q" });
  assert.deepEqual(decodeSignal("cabc"), { kind: "cancelled", id: "abc" });
  assert.equal(decodeSignal("x"), null);
});

Deno.test("deadlines: a call without a reply fails with StorageError; others pass", async () => {
  const d = new Deadlines(40);
  // The sweep timer is unref'd (a real call keeps the loop alive with its socket): hold it here.
  const keepAlive = setTimeout(() => {}, 5_000);
  try {
    const never = new Promise<never>(() => {});
    const t0 = performance.now();
    await assert.rejects(
      d.track("enqueue", never, (e) => e as Error),
      (err: unknown) => err instanceof StorageError && /enqueue timed out/.test(err.message),
    );
    assert.ok(performance.now() - t0 >= 40);
    assert.equal(await d.track("get", Promise.resolve(7), (e) => e as Error), 7);
    await assert.rejects(
      d.track("get", Promise.reject(new Error("boom")), () => new StorageError("wrapped")),
      /wrapped/,
    );
  } finally {
    d.close();
    clearTimeout(keepAlive);
  }
});

Deno.test("maxmemory check: a disabled CONFIG command warns instead of failing", async () => {
  const warnings: string[] = [];
  const cfg = resolveRedisConfig({
    url: "redis://h:1",
    keyPrefix: "p",
    maxmemoryPolicy: "fail",
    onWarning: (m) => warnings.push(m),
  });
  const fake = {
    config: () => Promise.reject(new Error("ERR unknown command 'CONFIG'")),
  } as unknown as Redis;
  await checkMaxmemoryPolicy(fake, cfg);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /could not read Redis maxmemory-policy.*noeviction/);
  const ok = {
    config: () => Promise.resolve(["maxmemory-policy", "noeviction"]),
  } as unknown as Redis;
  await checkMaxmemoryPolicy(ok, cfg);
  assert.equal(warnings.length, 1);
});
