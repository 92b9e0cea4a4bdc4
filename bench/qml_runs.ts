/**
 * Running qml's benchmark children (`bench/child.ts`, each its own `deno run`) for one
 * library checkout: producer and server processes, a fresh namespace per run, the latency
 * pairing of an idle server and a producer. `bench/bench.ts` and `bench/peers.ts` both time
 * qml through these, so a figure means the same in either table.
 *
 * @module
 */
import { type BackendName, dropNamespace, freshNamespace } from "./backends.ts";
import { databaseCpuMs } from "./db_cpu.ts";

/** One measurement a child printed. */
export type Result = Record<string, number>;

/** A Web Workers module for `lib`: the no-op worker and the latency probe. */
async function workersModule(lib: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "qml_bench_workers_", suffix: ".ts" });
  await Deno.writeTextFile(
    path,
    `import { defineWorker, WorkerRegistry } from "file://${lib}/mod.ts";
export default new WorkerRegistry()
  .register(defineWorker({ name: "noop", execute: async () => {} }))
  .register(defineWorker({
    name: "probe",
    execute: () => ({ t: performance.timeOrigin + performance.now() }),
  }));
`,
  );
  return `file://${path}`;
}
const workersOf = new Map<string, string>();

/** Write the workers module of checkout `lib`; once, before any run of it. */
export async function prepareLib(lib: string): Promise<void> {
  if (!workersOf.has(lib)) workersOf.set(lib, await workersModule(lib));
}

/** Remove the workers modules {@link prepareLib} wrote. */
export async function cleanupLibs(): Promise<void> {
  for (const path of workersOf.values()) await Deno.remove(new URL(path)).catch(() => {});
  workersOf.clear();
}

function child(
  lib: string,
  args: string[],
  stdin: "piped" | "null" = "null",
  env: Record<string, string> = {},
) {
  const workers = workersOf.get(lib);
  if (!workers) throw new Error(`prepareLib(${lib}) first`);
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--config=${lib}/deno.json`,
      new URL("./child.ts", import.meta.url).pathname,
      `--lib=${lib}`,
      `--workers=${workers}`,
      ...args,
    ],
    stdin,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** A run of one case on one backend: `env` goes to the server child only. */
export type Run = (
  lib: string,
  backend: BackendName,
  env: Record<string, string>,
) => Promise<Result>;

/** Run one child to its end; its last stdout line is its JSON measurement. */
export async function runChild(
  lib: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Result> {
  const out = await child(lib, args, "null", env).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").pop() ?? "";
  if (!out.success || !text.startsWith("{")) {
    throw new Error(`child ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  return JSON.parse(text);
}

/** The lines of a child's `stdout`, one per call; throws once it ended (`what` exited early). */
export function lineReader(
  stdout: ReadableStream<Uint8Array>,
  what: string,
): () => Promise<string> {
  const lines = stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return async () => {
    while (!buffered.includes("\n")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`${what} exited early`);
      buffered += value;
    }
    const i = buffered.indexOf("\n");
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    return line;
  };
}

/** Latency: an idle server (settled 1.5 s), a producer of 200 jobs; then the server's RSS. */
export async function latencyRun(lib: string, base: string[]): Promise<Result> {
  const server = child(lib, [...base, "--role=serve", "--case=idle"], "piped");
  const nextLine = lineReader(server.stdout, "latency server");
  const errors = new Response(server.stderr).text();
  try {
    await nextLine(); // ready
    await new Promise((r) => setTimeout(r, 1_500));
    const res = await runChild(lib, [...base, "--role=produce", "--case=latency", "--n=200"]);
    await server.stdin.close();
    return { ...res, ...JSON.parse(await nextLine()) };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${await errors}`);
  } finally {
    await server.status;
  }
}

/** `fn` with the child flags of a fresh namespace on `backend`, dropped afterwards. */
export async function fresh(
  backend: BackendName,
  fn: (base: string[]) => Promise<Result>,
): Promise<Result> {
  const ns = freshNamespace();
  try {
    return await fn([`--backend=${backend}`, `--ns=${ns}`]);
  } finally {
    await dropNamespace(backend, ns);
  }
}

/** The producer child of case `what` (`seq`, `many`, …) with `n` jobs. */
export const produce = (what: string, n: number): Run => (lib, backend) =>
  fresh(
    backend,
    (base) => runChild(lib, [...base, "--role=produce", `--case=${what}`, `--n=${n}`]),
  );

/**
 * A backlog of `n` from a producer child (memory: the server's own), then a server child
 * draining it. Beside the child's own figures (`cpuMs`: its CPU time), `dbCpuMs`: the CPU the
 * database server used while the server child ran, on Postgres and Redis (SQLite and memory
 * run inside the server process).
 */
export const drain = (n: number, options: Record<string, unknown>): Run => (lib, backend, env) =>
  fresh(backend, async (base) => {
    if (backend !== "memory") {
      await runChild(lib, [...base, "--role=produce", "--case=fill", `--n=${n}`]);
    }
    const db = backend === "postgres" || backend === "redis" ? backend : null;
    const before = db ? databaseCpuMs(db) : NaN;
    const r = await runChild(lib, [
      ...base,
      "--role=serve",
      "--case=drain",
      `--n=${n}`,
      `--options=${JSON.stringify(options)}`,
    ], env);
    return db ? { ...r, dbCpuMs: databaseCpuMs(db) - before } : r;
  });
