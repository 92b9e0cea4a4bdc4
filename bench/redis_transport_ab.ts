/**
 * A/B of the Redis transports by the benchmark method (public API, producer and
 * server in separate processes, fresh key prefix per run, alternating rounds):
 * `transport: "deno"` (Deno socket + fast lane) against `"node"` (ioredis only).
 *
 *   deno run -A bench/redis_transport_ab.ts [--rounds=3] [--n=10000] [--only=enqueue,drain,latency]
 *
 * Prints, per case and transport, the median (min–max) over the rounds, and the
 * server child's peak RSS (from `/usr/bin/time -v`) for the drain.
 *
 * @module
 */
import type { Redis } from "ioredis";
import { JobClient } from "../src/client.ts";
import { RedisStorage } from "../src/storage/redis/redis_storage.ts";
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { JobState } from "../src/job_state.ts";

const url = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";
const args = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split("=")).map(([k, v]) => [k, v ?? "true"]),
);
type Transport = "deno" | "node";
const N = Number(args.n ?? 10_000);

const UNFINISHED = [
  JobState.Enqueued,
  JobState.Scheduled,
  JobState.Processing,
  JobState.AwaitingRetry,
];

async function unfinished(s: RedisStorage): Promise<number> {
  const c = await s.counts();
  return UNFINISHED.reduce((a, st) => a + c.byState[st], 0);
}

async function dropPrefix(s: RedisStorage): Promise<void> {
  const redis = s.redis as Redis;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", s.keys.pattern, "COUNT", 5000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
}

// ---- child: the server process ------------------------------------------------------------
if (args.child) {
  const transport = args.transport as Transport;
  const storage = await RedisStorage.connect({ url, keyPrefix: args.prefix, transport });
  const watcher = await RedisStorage.connect({ url, keyPrefix: args.prefix, transport });
  const workers = new URL("./bench_workers.ts", import.meta.url);
  if (args.child === "drain") {
    let done = 0;
    const t0 = performance.now();
    const server = new BackgroundJobServer({ storage, workers });
    server.events.on("job.succeeded", () => void done++);
    await server.start();
    while (done < N) await new Promise((r) => setTimeout(r, 5));
    while (await unfinished(watcher) > 0) await new Promise((r) => setTimeout(r, 5));
    const t1 = performance.now();
    await server.stop();
    console.log(JSON.stringify({ rate: N / ((t1 - t0) / 1000) }));
  } else {
    const server = new BackgroundJobServer({
      storage,
      workers: new URL("./latency_workers.ts", import.meta.url),
    });
    await server.start();
    console.log("ready");
    // The parent closes our stdin when it is done.
    for await (const _ of Deno.stdin.readable) { /* wait */ }
    await server.stop();
  }
  await watcher.close();
  await storage.close();
  Deno.exit(0);
}

// ---- parent: the producer -----------------------------------------------------------------
function child(kind: string, transport: Transport, prefix: string, stdin: "piped" | "null") {
  return new Deno.Command("/usr/bin/time", {
    args: [
      "-v",
      Deno.execPath(),
      "run",
      "-A",
      import.meta.filename!,
      `--child=${kind}`,
      `--transport=${transport}`,
      `--prefix=${prefix}`,
      `--n=${N}`,
    ],
    stdin,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

const peakRss = (stderr: string) =>
  Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN) / 1024;

async function fresh(transport: Transport) {
  const prefix = `qml_ab_${crypto.randomUUID().slice(0, 8)}`;
  const storage = await RedisStorage.connect({ url, keyPrefix: prefix, transport });
  return { prefix, storage, client: new JobClient(storage) };
}

async function enqueueCase(transport: Transport): Promise<number> {
  const { storage, client } = await fresh(transport);
  const t = performance.now();
  for (let i = 0; i < N; i++) await client.enqueue("noop", { i });
  const rate = N / ((performance.now() - t) / 1000);
  await dropPrefix(storage);
  await storage.close();
  return rate;
}

async function drainCase(transport: Transport): Promise<[number, number]> {
  const { prefix, storage, client } = await fresh(transport);
  for (let i = 0; i < N; i += 1000) {
    await client.enqueueMany(
      Array.from({ length: Math.min(1000, N - i) }, (_, k) => ({
        worker: "noop",
        args: { i: i + k },
      })),
    );
  }
  const out = await child("drain", transport, prefix, "null").output();
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(stderr);
  const { rate } = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
  await dropPrefix(storage);
  await storage.close();
  return [rate, peakRss(stderr)];
}

async function latencyCase(transport: Transport): Promise<[number, number, number]> {
  const { prefix, storage, client } = await fresh(transport);
  const proc = child("latency", transport, prefix, "piped");
  const reader = proc.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  while (!seen.includes("ready")) seen += (await reader.read()).value ?? "";
  await new Promise((r) => setTimeout(r, 1500));
  const sent: { id: string; at: number }[] = [];
  const start = performance.now();
  for (let i = 0; i < 200; i++) {
    const due = start + i * 20;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const job = await client.enqueue("stamp", { i });
    sent.push({ id: job.id, at: performance.timeOrigin + performance.now() });
  }
  while (await unfinished(storage) > 0) await new Promise((r) => setTimeout(r, 5));
  const lat: number[] = [];
  for (const s of sent) {
    const job = await client.get(s.id);
    lat.push((job!.result as { at: number }).at - s.at);
  }
  await proc.stdin.close();
  reader.releaseLock();
  await proc.stdout.cancel().catch(() => {});
  await proc.stderr.cancel().catch(() => {});
  await proc.status;
  await dropPrefix(storage);
  await storage.close();
  lat.sort((a, b) => a - b);
  const rank = (p: number) => lat[Math.ceil((p / 100) * lat.length) - 1];
  return [rank(50), rank(95), rank(99)];
}

const ROUNDS = Number(args.rounds ?? 3);
const ONLY = new Set(String(args.only ?? "enqueue,drain,latency").split(","));
const results: Record<string, number[]> = {};
const add = (k: string, v: number) => (results[k] ??= []).push(v);
for (let r = 0; r < ROUNDS; r++) {
  // Alternate which transport goes first so drift on a shared machine hits both.
  const order: Transport[] = r % 2 === 0 ? ["deno", "node"] : ["node", "deno"];
  for (const t of order) {
    if (ONLY.has("enqueue")) add(`enqueue jobs/s ${t}`, await enqueueCase(t));
    if (ONLY.has("drain")) {
      const [rate, rss] = await drainCase(t);
      add(`drain jobs/s ${t}`, rate);
      add(`drain peak RSS MiB ${t}`, rss);
    }
    if (ONLY.has("latency")) {
      const [p50, p95, p99] = await latencyCase(t);
      add(`latency p50 ms ${t}`, p50);
      add(`latency p95 ms ${t}`, p95);
      add(`latency p99 ms ${t}`, p99);
    }
  }
  console.error(`round ${r + 1}/${ROUNDS} done`);
}
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
for (const [k, xs] of Object.entries(results)) {
  const s = [...xs].sort((a, b) => a - b);
  console.log(
    `${k.padEnd(28)} ${fmt(s[Math.floor(s.length / 2)])} (${fmt(s[0])}–${
      fmt(s[s.length - 1])
    })  runs: ${xs.map(fmt).join(" ")}`,
  );
}
