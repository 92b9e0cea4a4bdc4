/**
 * What Postgres itself does on this machine, below qml, with `pgbench` (PostgreSQL's own load
 * tool: no driver of ours, prepared statements): the floors that bound qml's
 * figures there.
 *
 * - a connection: open, one `SELECT 1`, close (`pgbench -C`), the time per connection;
 * - one-row `INSERT`s, one commit each, one client — into a table with a primary key only,
 *   into qml's `jobs` table (a fresh schema migrated by `PostgresStorage`: its indexes,
 *   constraints and counting trigger), and qml's own enqueue statement for one job
 *   (`sql/postgres/queries/enqueue_plain.sql` with the job's columns as literal arrays):
 *   commits per second, the ceiling of a sequential `enqueue` (workload 1a) whatever the client;
 * - that statement from 10 clients at once, with and without its `NOTIFY`: Postgres
 *   serializes the commits of transactions that NOTIFY (`src/storage/postgres/ready_notifier.ts`).
 *
 *   deno run -A bench/pg_floors.ts [--runs=3] [--seconds=4]
 *
 * Runs interleave the cases; cells are median (min–max). Needs `pgbench` on PATH or in
 * `/usr/lib/postgresql/<version>/bin`.
 *
 * @module
 */
import { PostgresStorage } from "../mod.ts";
import { dropNamespace, freshNamespace, PG_URL } from "./backends.ts";
import { type Cell, renderTable, type Row } from "./table.ts";

const flags = Object.fromEntries(
  Deno.args.map((a) => a.replace(/^--/, "").split(/=(.*)/s)).map(([k, v]) => [k, v ?? "true"]),
);
const RUNS = Number(flags.runs ?? 3);
const SECONDS = Number(flags.seconds ?? 4);

async function findPgbench(): Promise<string> {
  const candidates = ["pgbench"];
  try {
    for (const v of Deno.readDirSync("/usr/lib/postgresql")) {
      candidates.push(`/usr/lib/postgresql/${v.name}/bin/pgbench`);
    }
  } catch { /* not a Debian layout */ }
  for (const c of candidates) {
    const ok = await new Deno.Command(c, { args: ["--version"], stdout: "null", stderr: "null" })
      .output().then((o) => o.success, () => false);
    if (ok) return c;
  }
  throw new Error("pgbench not found (Debian: apt-get install postgresql-client)");
}

// One job's row as qml stores it on enqueue (the history entry of a new job).
const HISTORY = `[{"state":"Enqueued","at":"2026-01-01T00:00:00.000Z","reason":"enqueued"}]`;

/** The statements, by case: each a pgbench script of one statement, `{s}` the schema. */
function scripts(enqueuePlain: string): Case[] {
  const jobsInsert = `INSERT INTO {s}.jobs (id, method, args, queue, priority, state, attempts,
    max_attempts, run_at, created_at, progress, history)
    VALUES (gen_random_uuid()::text, 'noop', '{"i":1}', 'default', 0, 'Enqueued', 0, 3, now(),
    now(), 0, '${HISTORY}');`;
  // enqueue_plain.sql's parameters as literal arrays of one job (empty: null in every row).
  const literal = (v: string | null, type: string) =>
    v === null ? `'{}'::${type}[]` : `ARRAY[${v}]::${type}[]`;
  const params: Record<number, string> = {
    1: literal("gen_random_uuid()::text", "text"),
    2: literal("'noop'", "text"),
    3: literal(`'{"i":1}'`, "text"),
    4: literal("'default'", "text"),
    5: literal("0", "integer"),
    6: literal("'Enqueued'", "text"),
    7: literal("0", "integer"),
    8: literal("3", "integer"),
    9: literal(null, "text"),
    10: literal(null, "integer"),
    11: literal("now()", "timestamptz"),
    12: literal("now()", "timestamptz"),
    13: literal(null, "timestamptz"),
    14: literal(null, "timestamptz"),
    15: literal(null, "timestamptz"),
    16: literal(null, "text"),
    17: literal(null, "text"),
    18: literal(null, "text"),
    19: literal("0", "float8"),
    20: literal(`'${HISTORY}'`, "text"),
    21: literal(null, "text"),
    22: literal("'default'", "text"),
    23: "'qml_floor'",
  };
  const statement = enqueuePlain.slice(enqueuePlain.indexOf("WITH ins AS"))
    .replaceAll("{{schema}}", "{s}")
    // Each parameter with its cast becomes its literal, which carries the cast itself.
    .replace(/\$(\d+)(::[\w.\[\]]+)?/g, (_, n: string) => params[Number(n)]);
  const enqueue = `${statement.trim()};`;
  // The same insert with its wake-up left out (the statement ends in the NOTIFY's SELECT).
  const silent = `${statement.slice(0, statement.indexOf("SELECT count(pg_notify"))}SELECT 1;`;
  return [
    {
      label: "one-row `INSERT`, a table with a primary key only",
      sql: `INSERT INTO {s}.plain (id, payload) VALUES (gen_random_uuid()::text, '{"i":1}');`,
      clients: 1,
    },
    { label: "one-row `INSERT` into qml's `jobs` table", sql: jobsInsert, clients: 1 },
    { label: "qml's enqueue statement, one job (`enqueue_plain.sql`)", sql: enqueue, clients: 1 },
    { label: "the same, 10 clients at once", sql: enqueue, clients: 10 },
    { label: "the same without its `NOTIFY`, 10 clients at once", sql: silent, clients: 10 },
  ];
}

/** One pgbench case: a one-statement script run by `clients` clients. */
interface Case {
  label: string;
  sql: string;
  clients: number;
}

async function pgbench(bin: string, args: string[]): Promise<string> {
  const url = new URL(PG_URL);
  const out = await new Deno.Command(bin, {
    args: [
      "-h",
      url.hostname,
      "-p",
      url.port || "5432",
      "-U",
      decodeURIComponent(url.username || "postgres"),
      "-n",
      ...args,
      url.pathname.slice(1) || "postgres",
    ],
    env: url.password ? { PGPASSWORD: decodeURIComponent(url.password) } : {},
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`pgbench ${args.join(" ")}:\n${text}`);
  return text;
}

const figure = (text: string, re: RegExp): number => {
  const m = re.exec(text);
  if (!m) throw new Error(`no ${re} in pgbench's output:\n${text}`);
  return Number(m[1]);
};

const bin = await findPgbench();
const ns = freshNamespace();
const dir = await Deno.makeTempDir({ prefix: "qml_pg_floors_" });
try {
  const storage = await PostgresStorage.connect({ url: PG_URL, schema: ns });
  await storage.sql.unsafe(`CREATE TABLE "${ns}".plain (id text PRIMARY KEY, payload json)`);
  await storage.close();
  const query = (name: string) =>
    Deno.readTextFile(new URL(`../sql/postgres/queries/${name}.sql`, import.meta.url));
  const files = await Promise.all(
    scripts(await query("enqueue_plain")).map(async (c, i) => {
      const path = `${dir}/case${i}.sql`;
      await Deno.writeTextFile(path, c.sql.replaceAll("{s}", `"${ns}"`) + "\n");
      return { ...c, path };
    }),
  );
  const select1 = `${dir}/select1.sql`;
  await Deno.writeTextFile(select1, "SELECT 1;\n");
  const connectMs: number[] = [];
  const tps = files.map(() => [] as number[]);
  for (let round = 1; round <= RUNS; round++) {
    const t = SECONDS.toString();
    connectMs.push(figure(
      await pgbench(bin, ["-C", "-c", "1", "-T", t, "-f", select1]),
      /average connection time = ([\d.]+) ms/,
    ));
    for (const [i, f] of files.entries()) {
      const clients = ["-c", String(f.clients), "-j", String(Math.min(f.clients, 2))];
      const text = await pgbench(bin, [...clients, "-T", t, "-M", "prepared", "-f", f.path]);
      tps[i].push(figure(text, /tps = ([\d.]+)/));
      console.error(`round ${round}/${RUNS}: ${f.label}: ${tps[i].at(-1)!.toFixed(0)} commits/s`);
    }
  }
  const one = (values: number[], digits?: number): Cell => ({ kind: "one", values, digits });
  const rows: Row[] = [
    {
      label: "open a connection, one `SELECT 1`, close (ms per connection)",
      cells: [one(connectMs, 1)],
    },
    ...files.map((f, i): Row => ({ label: `${f.label} (commits/s)`, cells: [one(tps[i], 0)] })),
  ];
  console.log(renderTable({
    title: `Postgres floors, pgbench, median (min–max) of ${RUNS} rounds of ${SECONDS} s; ` +
      `\`deno run -A bench/pg_floors.ts${Deno.args.length ? " " + Deno.args.join(" ") : ""}\``,
    columns: ["postgres"],
    rows,
  }));
} finally {
  await dropNamespace("postgres", ns);
  await Deno.remove(dir, { recursive: true });
}
