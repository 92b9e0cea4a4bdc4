/**
 * Importing mod.ts loads no storage driver: postgres.js and ioredis are imported inside
 * `PostgresStorage.connect` / `RedisStorage.connect` only; nor the OpenTelemetry API unless a
 * provider is registered (`OTEL_DENO=true`), nor croner until a cron pattern is read. Proven at
 * run time: a child process runs an app on MemoryStorage (client, server, a Web Worker
 * importing mod.ts) with those packages mapped to modules that throw when evaluated.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const fixture = new URL("fixtures/lazy_drivers/", import.meta.url);

async function importMapWithStubs(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const stub = new URL("driver_stub.js", fixture).href;
  const optional = new URL("package_stub.js", fixture).href;
  const imports = {
    ...config.imports,
    postgres: stub,
    ioredis: stub,
    "@opentelemetry/api": optional,
    croner: optional,
  };
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify({ imports }));
  return path;
}

async function runApp(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ success: boolean; stdout: string; stderr: string }> {
  const importMap = await importMapWithStubs();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--no-check",
        "--no-config",
        "--no-lock",
        `--import-map=${importMap}`,
        new URL("memory_app.ts", fixture).pathname,
        ...args,
      ],
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
    return { success: out.success, stdout: text(out.stdout), stderr: text(out.stderr) };
  } finally {
    await Deno.remove(importMap);
  }
}

/** The app's output; it must have exited successfully. */
async function appOutput(...args: string[]): Promise<string> {
  const out = await runApp(args);
  assert.ok(out.success, `app failed:\n${out.stdout}\n${out.stderr}`);
  return out.stdout;
}

Deno.test("mod.ts on MemoryStorage, with a Web Worker importing mod.ts, loads no driver, no OpenTelemetry API and no croner", async () => {
  const out = await appOutput();
  assert.deepEqual(JSON.parse(out.split("\n").pop()!), { state: "Succeeded", result: { n: 42 } });
});

Deno.test("opening Postgres loads postgres.js (the stub is reached: the proof above can fail)", async () => {
  const out = await appOutput("--open=postgres://127.0.0.1:1/x");
  assert.match(out, /open failed: .*qml-test: a storage driver was loaded/);
});

Deno.test("opening Redis loads ioredis (the stub is reached)", async () => {
  const out = await appOutput("--open=redis://127.0.0.1:1");
  assert.match(out, /open failed: .*qml-test: a storage driver was loaded/);
});

Deno.test("reading a cron pattern loads croner (the stub is reached)", async () => {
  const out = await appOutput("--recurring");
  assert.match(out, /schedule failed: .*qml-test: an optional package was loaded/);
});

Deno.test("with Deno's OpenTelemetry on, importing mod.ts loads the API (the stub is reached)", async () => {
  const out = await runApp([], { OTEL_DENO: "true", OTEL_EXPORTER_OTLP_PROTOCOL: "console" });
  assert.equal(out.success, false);
  assert.match(out.stderr, /qml-test: an optional package was loaded/);
});
