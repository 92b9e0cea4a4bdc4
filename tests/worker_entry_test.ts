/**
 * The `./worker` entry (worker.ts) loads what a workers module needs and nothing more, and a
 * server runs a workers module written against it in its Web Workers.
 */
import assert from "node:assert/strict";
import * as workerEntry from "../worker.ts";
import * as main from "../mod.ts";

const { BackgroundJobServer, JobClient, MemoryStorage } = main;

const root = new URL("../", import.meta.url);

Deno.test("worker.ts's module graph holds no client, server, storage, dashboard or npm package", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("worker.ts", root).pathname],
    cwd: root.pathname,
    stdout: "piped",
  }).output();
  assert.equal(out.code, 0);
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  const local = graph.modules.map((m) => m.specifier.replace(root.href, ""));
  assert.ok(local.includes("src/worker.ts"), "the entry loads the worker API");
  const heavy = local.filter((s) =>
    !s.startsWith("src/") ||
    /^src\/(server|storage|dashboard|telemetry)\/|^src\/client\.ts$/.test(s)
  ).filter((s) => s !== "worker.ts");
  assert.deepEqual(heavy, []);
});

Deno.test("the worker entry and mod.ts export the same classes", () => {
  assert.equal(workerEntry.defineWorker, main.defineWorker);
  assert.equal(workerEntry.WorkerRegistry, main.WorkerRegistry);
  assert.equal(workerEntry.ValidationError, main.ValidationError);
  assert.equal(workerEntry.QmlError, main.QmlError);
  assert.equal(workerEntry.JobState, main.JobState);
});

Deno.test("a server runs a workers module that imports only the worker entry, in a Web Worker", async () => {
  const storage = new MemoryStorage();
  const server = new BackgroundJobServer({
    storage,
    workers: new URL("fixtures/worker_entry/entry_workers.ts", import.meta.url),
    threads: 1,
    pollIntervalMs: 50,
    enableRecurring: false,
    enableCleanup: false,
    logLevel: "silent",
  });
  await server.start();
  try {
    const client = new JobClient(storage);
    const ok = await client.enqueue("double", { n: 21 });
    const bad = await client.enqueue("double", { n: -1 }, { maxAttempts: 1 });
    const done = await client.waitFor(ok.id, { timeoutMs: 10_000 });
    assert.equal(done.state, "Succeeded");
    assert.deepEqual(done.result, { doubled: 42 });
    const failed = await client.waitFor(bad.id, { timeoutMs: 10_000 });
    assert.equal(failed.state, "Failed");
    assert.match(failed.error?.message ?? "", /n must not be negative/);
  } finally {
    await server.stop();
  }
});
