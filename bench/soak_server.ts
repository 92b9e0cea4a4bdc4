/**
 * One server process of the soak (`bench/soak.ts` starts three). Runs the soak's
 * workers inline and appends every execution to its own log file, written
 * synchronously so a SIGKILL loses nothing already started:
 *
 *   S <job id> <attempt> <this process's Date.now()> <method>   a handler started
 *   E <job id> <attempt> ok|fail                     a handler returned or threw
 *
 * Env: the soak target (see soak_backend.ts), QML_SOAK_NAME, QML_SOAK_LOG,
 * QML_SOAK_LOCK_TTL_MS. Prints `started` once running; stops gracefully on SIGTERM.
 *
 * @module
 */
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { storageClockOf } from "../src/storage_clock.ts";
import { defineWorker, WorkerRegistry } from "../src/worker.ts";
import { openTarget, targetFromEnv } from "./soak_backend.ts";

/** Arguments of a soak job. */
export interface SoakArgs {
  /** How long the handler runs. */
  ms: number;
  /** The handler throws on attempts up to this one. */
  fail: number;
}

const storage = await openTarget(targetFromEnv());
const clock = storageClockOf(storage);
const log = Deno.env.get("QML_SOAK_LOG")!;
const write = (line: string) => Deno.writeTextFileSync(log, line + "\n", { append: true });
const started = (id: string, attempt: number, method: string) =>
  write(`S ${id} ${attempt} ${Date.now()} ${method}`);

const registry = new WorkerRegistry()
  .register(defineWorker({
    name: "soak.work",
    execute: async (args: SoakArgs, ctx) => {
      started(ctx.job.id, ctx.job.attempt, "soak.work");
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, args.ms);
        ctx.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()));
      });
      const fail = ctx.job.attempt <= args.fail;
      write(`E ${ctx.job.id} ${ctx.job.attempt} ${fail ? "fail" : "ok"}`);
      if (fail) throw new Error(`planned failure of attempt ${ctx.job.attempt}`);
    },
  }))
  .register(defineWorker({
    name: "soak.tick",
    execute: (_args: unknown, ctx) => {
      started(ctx.job.id, ctx.job.attempt, "soak.tick");
      write(`E ${ctx.job.id} ${ctx.job.attempt} ok`);
    },
  }));

const server = new BackgroundJobServer({
  storage,
  workers: registry,
  execution: "inline",
  serverName: Deno.env.get("QML_SOAK_NAME")!,
  concurrency: 20,
  lockTtlMs: Number(Deno.env.get("QML_SOAK_LOCK_TTL_MS")),
  pollIntervalMs: 100,
  recurringPollIntervalMs: 200,
  enableCleanup: false,
  logLevel: "error",
});
Deno.addSignalListener("SIGTERM", async () => {
  await server.stop();
  await storage.close();
  Deno.exit(0);
});
await server.start();
console.log(`started ${clock.offsetMs ?? 0}`);
