/**
 * Server drain with default options, producer and server in separate processes (the method of
 * the benchmarks design): the producer enqueues `--jobs` no-op jobs into a fresh Postgres
 * schema (not timed), then a child `deno run` starts a `BackgroundJobServer` with the given
 * options (none by default); the child takes `t0` immediately before `server.start()` and
 * `t_end` when a separate connection first sees no unfinished job (polling every 5 ms).
 *
 *   deno run -A bench/server_drain.ts [--jobs=10000] [--runs=3] [--opts='{"threads":1}']
 *
 * Prints jobs/s per run and the median. Uses DATABASE_URL (default local `test`).
 *
 * @module
 */
import { JobClient } from "../src/client.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { PostgresStorage } from "../src/storage/postgres/postgres_storage.ts";

const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const child = Deno.env.get("QML_DRAIN_CHILD");

function arg(name: string, fallback: string): string {
  const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
}

if (child) {
  const { schema, jobs, opts } = JSON.parse(child);
  const storage = await PostgresStorage.connect({ url, schema });
  const watch = await PostgresStorage.connect({ url, schema, maxConnections: 1 });
  const server = new BackgroundJobServer({
    storage,
    workers: new URL("./bench_workers.ts", import.meta.url),
    logLevel: "warn",
    ...opts,
  });
  const t0 = performance.now();
  await server.start();
  for (;;) {
    const c = await watch.counts();
    const s = c.byState;
    if (s.Enqueued + s.Scheduled + s.Processing + s.AwaitingRetry === 0 && s.Succeeded >= jobs) {
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = performance.now() - t0;
  await server.stop();
  await watch.close();
  await storage.close();
  console.log(JSON.stringify({ ms }));
} else {
  const jobs = Number(arg("jobs", "10000"));
  const runs = Number(arg("runs", "3"));
  const opts = JSON.parse(arg("opts", "{}"));
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const schema = `qml_drain_${crypto.randomUUID().slice(0, 8)}`;
    const storage = await PostgresStorage.connect({ url, schema });
    const client = new JobClient(storage);
    const items = Array.from({ length: jobs }, (_, i) => ({ worker: "noop", args: { i } }));
    for (let i = 0; i < items.length; i += 1000) {
      await client.enqueueMany(items.slice(i, i + 1000));
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(import.meta.url).pathname],
      env: { QML_DRAIN_CHILD: JSON.stringify({ schema, jobs, opts }) },
      stderr: "inherit",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
    const { ms } = JSON.parse(text);
    rates.push(Math.round(jobs / (ms / 1000)));
    await storage.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await storage.close();
  }
  const sorted = [...rates].sort((a, b) => a - b);
  console.log(
    JSON.stringify({ opts, runs: rates, median: sorted[Math.floor(sorted.length / 2)] }),
  );
}
