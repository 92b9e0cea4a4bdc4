/**
 * One Node process of a peer benchmark run, started by `bench/peers.ts`: a producer or a server
 * of graphile-worker, pg-boss or BullMQ, through each library's public API as its users deploy
 * it. It prints one JSON line with its measurement on stdout.
 *
 *   --role=produce  --case=seq|many|fill|latency  --n=N              (the producer)
 *   --role=serve    --case=drain|idle  --n=N  --cap=SECONDS          (the server)
 *   and always  --peer=NAME  --ns=NAMESPACE  --config=JSON  --pg=URL  --redis=URL
 *
 * `--config` is `{ client, queue, worker }`: what the peer's constructor, queue creation and
 * worker take beyond the connection (`{}` is the peer's defaults). A run that has not finished
 * `--cap` seconds after it started (a drain) or after the last enqueue (a latency server) stops
 * there and says so, because some defaults would take hours.
 */
import process from "node:process";
import { readFileSync, writeSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";

const flags = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, "").split("=");
    return [k, v.join("=")];
  }),
);
const n = Number(flags.n ?? 10_000);
const config = JSON.parse(flags.config ?? "{}");
const env = { ns: flags.ns, pgUrl: flags.pg, redisUrl: flags.redis, config };
const QUEUE = "bench";
const wallNow = () => performance.timeOrigin + performance.now();

// Synchronous, so that `process.exit` cannot cut a report still buffered for a pipe.
function report(value) {
  writeSync(1, JSON.stringify(value) + "\n");
}

/** CPU time this process has used, every thread, start-up too. */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function peakRssMiB() {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function logError(err) {
  console.error(err?.stack ?? String(err));
}

/** The job's own work: nothing, asynchronously. */
const noop = async () => {};

/** An EXISTS query on its own connection, as the drain's separate observer. */
async function pgObserver(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    unfinished: async () => (await client.query(text)).rows[0].any,
    close: () => client.end(),
  };
}

/**
 * Each peer: `producer(env)` (schema set-up included, not timed), `server(env, onStart)` whose
 * `start()` is what the drain times, and `observer(env)` on a connection of its own.
 */
const peers = {
  "graphile-worker": async () => {
    const { Logger, makeWorkerUtils, run } = await import("graphile-worker");
    // Its default logger writes a line per job to stdout; qml's own bench keeps errors only too.
    const logger = new Logger(() => (level, message) => {
      if (level === "error") console.error(message);
    });
    const shared = ({ pgUrl, ns }) => ({
      connectionString: pgUrl,
      schema: ns,
      logger,
    });
    return {
      async producer(env) {
        const utils = await makeWorkerUtils(shared(env));
        await utils.migrate();
        return {
          add: (payload) => utils.addJob("noop", payload),
          addMany: (payloads) =>
            utils.addJobs(
              payloads.map((payload) => ({ identifier: "noop", payload })),
            ),
          close: () => utils.release(),
        };
      },
      server(env, onStart) {
        let runner;
        return {
          async start() {
            runner = await run({
              ...shared(env),
              taskList: {
                noop: (payload) => {
                  onStart(payload);
                  return noop();
                },
              },
              ...env.config.worker,
            });
          },
          stop: () => runner?.stop(),
        };
      },
      // Succeeded jobs are deleted; a job that failed for good stays, unlocked, out of attempts.
      observer: ({ pgUrl, ns }) =>
        pgObserver(
          pgUrl,
          `SELECT EXISTS (SELECT 1 FROM "${ns}"._private_jobs
             WHERE locked_at IS NOT NULL OR attempts < max_attempts) AS any`,
        ),
    };
  },

  "pg-boss": async () => {
    const { PgBoss } = await import("pg-boss");
    const open = async ({ pgUrl, ns, config }) => {
      const boss = new PgBoss({
        connectionString: pgUrl,
        schema: ns,
        ...config.client,
      });
      // An EventEmitter's unheard "error" would end the process.
      boss.on("error", logError);
      await boss.start();
      // Queues must exist before send or work; creating one that exists is a no-op.
      await boss.createQueue(QUEUE, config.queue ?? {});
      return boss;
    };
    return {
      async producer(env) {
        const boss = await open(env);
        return {
          add: (data) => boss.send(QUEUE, data),
          addMany: (datas) => boss.insert(QUEUE, datas.map((data) => ({ data }))),
          close: () => boss.stop(),
        };
      },
      server(env, onStart) {
        let boss;
        return {
          async start() {
            boss = await open(env);
            // A batch arrives as an array: each job its own no-op, all in flight at once.
            await boss.work(
              QUEUE,
              env.config.worker ?? {},
              (jobs) =>
                Promise.all(jobs.map((job) => {
                  onStart(job.data);
                  return noop();
                })),
            );
          },
          stop: () => boss?.stop({ timeout: 5_000 }),
        };
      },
      // The job_state enum is ordered: created, retry, active, then the final states.
      observer: ({ pgUrl, ns }) =>
        pgObserver(
          pgUrl,
          `SELECT EXISTS (SELECT 1 FROM "${ns}".job
             WHERE name = '${QUEUE}' AND state < 'completed') AS any`,
        ),
    };
  },

  bullmq: async () => {
    const { Queue, Worker } = await import("bullmq");
    const connection = ({ redisUrl }) => {
      const u = new URL(redisUrl);
      return {
        host: u.hostname,
        port: Number(u.port || 6379),
        db: Number(u.pathname.slice(1) || 0),
      };
    };
    const queue = async (env) => {
      const q = new Queue(QUEUE, {
        connection: connection(env),
        prefix: env.ns,
      });
      q.on("error", logError);
      await q.waitUntilReady();
      return q;
    };
    return {
      async producer(env) {
        const q = await queue(env);
        return {
          add: (data) => q.add("noop", data),
          addMany: (datas) => q.addBulk(datas.map((data) => ({ name: "noop", data }))),
          close: () => q.close(),
        };
      },
      server(env, onStart) {
        let worker;
        return {
          async start() {
            worker = new Worker(QUEUE, (job) => {
              onStart(job.data);
              return noop();
            }, {
              connection: connection(env),
              prefix: env.ns,
              ...env.config.worker,
            });
            worker.on("error", logError);
            await worker.waitUntilReady();
          },
          stop: () => worker?.close(),
        };
      },
      // Completed and failed jobs keep their own sets; these are the states still to run.
      async observer(env) {
        const q = await queue(env);
        const states = [
          "wait",
          "active",
          "delayed",
          "prioritized",
          "waiting-children",
          "paused",
        ];
        return {
          unfinished: async () => Object.values(await q.getJobCounts(...states)).some((c) => c > 0),
          close: () => q.close(),
        };
      },
    };
  },
};

const peer = await peers[flags.peer]();

async function produce() {
  const producer = await peer.producer(env);
  try {
    if (flags.case === "latency") return report(await latency(producer));
    const payloads = Array.from({ length: n }, (_, i) => ({ i }));
    const t = performance.now();
    if (flags.case === "seq") {
      for (const payload of payloads) await producer.add(payload);
    } else {
      await producer.addMany(payloads);
    }
    const ms = performance.now() - t;
    report({ ms, rate: (n / ms) * 1000 });
  } finally {
    await producer.close();
  }
}

/** `n` jobs on a fixed 20 ms schedule; when each `add` returned, by the wall clock. */
async function latency(producer) {
  const returned = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await producer.add({ i });
    returned.push(wallNow());
    const wait = start + (i + 1) * 20 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  return { returned };
}

async function serve() {
  const capMs = Number(flags.cap ?? 60) * 1000;
  const started = new Array(n).fill(null);
  let handled = 0;
  const enough = Promise.withResolvers();
  const onStart = (data) => {
    started[data.i] ??= wallNow();
    if (++handled === n) enough.resolve(true);
  };
  const server = peer.server(env, onStart);
  if (flags.case === "idle") {
    await server.start();
    report({ ready: true });
    // Serve until the harness closes stdin, then give the last jobs until the cap to start.
    for await (const _ of process.stdin) { /* wait for EOF */ }
    const cutAt = wallNow() + capMs;
    await Promise.race([enough.promise, sleep(capMs)]);
    await server.stop();
    report({ rssMiB: peakRssMiB(), started, cutAt });
    return;
  }
  const observer = await peer.observer(env);
  const t0 = performance.now();
  const overdue = () => performance.now() - t0 >= capMs;
  await server.start();
  await Promise.race([
    enough.promise,
    sleep(Math.max(0, capMs - (performance.now() - t0))),
  ]);
  if (handled >= n) {
    while (await observer.unfinished() && !overdue()) await sleep(5);
  }
  const ms = performance.now() - t0;
  const capped = handled < n || overdue();
  await Promise.race([server.stop(), sleep(10_000)]);
  await observer.close();
  // A cut run's rate counts the handler calls made by then: the rate it was draining at.
  report({
    ms,
    rate: ((capped ? handled : n) / ms) * 1000,
    rssMiB: peakRssMiB(),
    cpuMs: cpuMs(),
    capped,
    handled,
  });
}

if (flags.role === "produce") await produce();
else await serve();
// Pools, timers and signal handlers of the libraries must not keep the process alive.
process.exit(0);
