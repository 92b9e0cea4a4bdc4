/**
 * What a Postgres fetch of a small batch costs beside result writes: 1,000 `fetchAndLock`
 * calls of 10 jobs, one after the other, on a fresh schema holding 10,000 jobs, as a server
 * with `concurrency: 10` makes them — alone; with the fetched jobs' results written in
 * batches of `--writes=N` (one write in flight at a time, beside the fetches, as the
 * completion batcher does); and alone with the dashboard's counting trigger on `UPDATE`
 * dropped, or replaced by one that does nothing with the same transition tables (what
 * Postgres pays to collect a statement's old and new rows for such a trigger). Rounds
 * interleave the cases; prints median (min–max) of the total and of one fetch's mean.
 *
 *   deno run -A bench/pg_fetch_contention.ts [--writes=40,250] [--runs=3]
 *
 * A diagnosis below the public API (storage verbs called directly), not a benchmark.
 *
 * @module
 */
import { JobClient } from "../src/client.ts";
import { PostgresStorage } from "../src/storage/postgres/postgres_storage.ts";
import { decide, type TransitionItem } from "../src/transitions.ts";
import { dropNamespace, freshNamespace, PG_URL } from "./backends.ts";
import { median } from "./table.ts";

const flags = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split(/=(.*)/s)).map(([k, v]) => [k, v ?? "true"]),
);
const RUNS = Number(flags.runs ?? 3);
const WRITES = (flags.writes ?? "40,250").split(",").map(Number);
const FETCHES = 1_000, LIMIT = 10, SERVER = "probe";

interface Case {
  label: string;
  writeEvery: number;
  trigger: "counting" | "none" | "no-op";
}
const cases: Case[] = [
  { label: "fetches alone", writeEvery: 0, trigger: "counting" },
  ...WRITES.map((n): Case => ({
    label: `beside writes of ${n}`,
    writeEvery: n,
    trigger: "counting",
  })),
  { label: "fetches alone, no counting trigger", writeEvery: 0, trigger: "none" },
  { label: "fetches alone, a no-op trigger instead", writeEvery: 0, trigger: "no-op" },
];

// Replace the counting trigger on UPDATE of `schema`'s jobs table as `c` asks.
async function setTrigger(storage: PostgresStorage, schema: string, c: Case): Promise<void> {
  if (c.trigger === "counting") return;
  await storage.sql.unsafe(`DROP TRIGGER jobs_count_update ON ${schema}.jobs`);
  if (c.trigger === "none") return;
  await storage.sql.unsafe(
    `CREATE FUNCTION ${schema}.no_op() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`,
  );
  await storage.sql.unsafe(
    `CREATE TRIGGER jobs_no_op AFTER UPDATE ON ${schema}.jobs
     REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
     FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.no_op()`,
  );
}

async function once(c: Case): Promise<{ totalMs: number; fetchMs: number }> {
  const schema = freshNamespace();
  const storage = await PostgresStorage.connect({ url: PG_URL, schema });
  try {
    await new JobClient(storage).enqueueMany(
      Array.from({ length: FETCHES * LIMIT }, (_, i) => ({ worker: "noop", args: { i } })),
    );
    await setTrigger(storage, schema, c);
    let done: TransitionItem[] = [];
    let writing: Promise<unknown> | null = null;
    let fetchSum = 0;
    const t0 = performance.now();
    for (let k = 0; k < FETCHES; k++) {
      const t = performance.now();
      const jobs = await storage.fetchAndLock({
        queues: ["default"],
        limit: LIMIT,
        serverName: SERVER,
        lockTtlMs: 30_000,
        now: new Date(),
      });
      fetchSum += performance.now() - t;
      if (c.writeEvery === 0) continue;
      const now = new Date();
      for (const job of jobs) {
        done.push({
          id: job.id,
          guard: { state: job.state, lockedBy: SERVER },
          next: decide(job, { type: "succeeded", result: null }, { now, server: SERVER }),
        });
      }
      if (done.length >= c.writeEvery && !writing) {
        const items = done;
        done = [];
        writing = storage.transition({ items, now }).finally(() => writing = null);
      }
    }
    await writing;
    return { totalMs: performance.now() - t0, fetchMs: fetchSum / FETCHES };
  } finally {
    await storage.close();
    await dropNamespace("postgres", schema);
  }
}

const results = new Map<string, { totalMs: number[]; fetchMs: number[] }>();
for (let r = 0; r < RUNS; r++) {
  for (const c of cases) {
    const { totalMs, fetchMs } = await once(c);
    const got = results.get(c.label) ?? { totalMs: [], fetchMs: [] };
    got.totalMs.push(totalMs);
    got.fetchMs.push(fetchMs);
    results.set(c.label, got);
    console.error(`round ${r + 1}/${RUNS}: ${c.label}: ${totalMs.toFixed(0)} ms`);
  }
}
const cell = (xs: number[], digits: number) =>
  `${median(xs).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}–${
    Math.max(...xs).toFixed(digits)
  })`;
console.log(
  `1,000 fetches of 10 on Postgres, median (min–max) of ${RUNS}; ` +
    `\`deno run -A bench/pg_fetch_contention.ts${
      Deno.args.length ? " " + Deno.args.join(" ") : ""
    }\``,
);
console.log("| case | all fetches (ms) | one fetch, mean (ms) |\n|---|---:|---:|");
for (const [label, { totalMs, fetchMs }] of results) {
  console.log(`| ${label} | ${cell(totalMs, 0)} | ${cell(fetchMs, 2)} |`);
}
