/**
 * Importing mod.ts loads no storage driver: postgres.js and ioredis are imported inside
 * `PostgresStorage.connect` / `RedisStorage.connect` only. Proven at run time: a child process
 * runs an app on MemoryStorage (client, server, a Web Worker importing mod.ts) with both drivers
 * mapped to a module that throws when evaluated.
 */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const fixture = new URL("fixtures/lazy_drivers/", import.meta.url);

async function importMapWithStubbedDrivers(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const stub = new URL("driver_stub.js", fixture).href;
  const imports = { ...config.imports, postgres: stub, ioredis: stub };
  const path = await Deno.makeTempFile({ suffix: ".json" });
  await Deno.writeTextFile(path, JSON.stringify({ imports }));
  return path;
}

async function runApp(...args: string[]): Promise<string> {
  const importMap = await importMapWithStubbedDrivers();
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
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    assert.ok(out.success, `app failed:\n${stdout}\n${new TextDecoder().decode(out.stderr)}`);
    return stdout;
  } finally {
    await Deno.remove(importMap);
  }
}

Deno.test("mod.ts on MemoryStorage, with a Web Worker importing mod.ts, loads no driver", async () => {
  const out = await runApp();
  assert.deepEqual(JSON.parse(out.split("\n").pop()!), { state: "Succeeded", result: { n: 42 } });
});

Deno.test("opening Postgres loads postgres.js (the stub is reached: the proof above can fail)", async () => {
  const out = await runApp("--open=postgres://127.0.0.1:1/x");
  assert.match(out, /open failed: .*qml-test: a storage driver was loaded/);
});

Deno.test("opening Redis loads ioredis (the stub is reached)", async () => {
  const out = await runApp("--open=redis://127.0.0.1:1");
  assert.match(out, /open failed: .*qml-test: a storage driver was loaded/);
});
