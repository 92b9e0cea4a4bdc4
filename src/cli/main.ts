/**
 * The `qml` command line: parses arguments with commander (a well-kept,
 * dependency-free parser with subcommands, typed options and generated help)
 * and maps each command onto library calls. Commands hold no job logic.
 *
 * @module
 */
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { type CommandContext, DEFAULT_CLI_STORAGE_URL } from "./context.ts";
import { actOnJobs, listJobs, showJob } from "./commands/jobs.ts";
import { dashboard } from "./commands/dashboard.ts";
import { enqueue } from "./commands/enqueue.ts";
import { health } from "./commands/health.ts";
import { migrate } from "./commands/migrate.ts";
import { purge } from "./commands/purge.ts";
import { actOnRecurring, listRecurring } from "./commands/recurring.ts";
import { serve } from "./commands/serve.ts";
import { stats } from "./commands/stats.ts";
import { errorLine, EXIT, exitCodeOf, type Io, processIo } from "./io.ts";

const int = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};
const list = (v: string): string[] => v.split(",").map((s) => s.trim()).filter(Boolean);

// Options every command takes, added to each so `--help` shows them where they apply.
function common(cmd: Command): Command {
  return cmd
    .option(
      "--storage <url>",
      `storage URL (default: $QML_STORAGE_URL, else ${DEFAULT_CLI_STORAGE_URL})`,
    )
    .option("--json", "print JSON for scripts");
}

function filters(cmd: Command): Command {
  return cmd
    .option("--state <state>", "only jobs in this state (e.g. failed)")
    .option("--queue <name>", "only jobs of this queue")
    .option("--method <name>", "only jobs of this method")
    .option("--search <text>", "id prefix, method, key:value in args, or text in args");
}

/** Build the program; each action resolves to an exit code stored in `result`. */
function program(ctx: CommandContext, result: { code: number }): Command {
  const run = (p: Promise<number>) => p.then((code) => void (result.code = code));
  const root = new Command("qml")
    .description("qml background jobs: run servers, inspect and manage jobs")
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.io.out(s.trimEnd()),
      writeErr: (s) => ctx.io.err(s.trimEnd()),
      // One line per error: commander's message plus where to look.
      outputError: (s, write) => write(`${s.trimEnd()} (see --help)\n`),
    });

  common(root.command("serve"))
    .description("run a job server until SIGINT/SIGTERM, then stop gracefully")
    .requiredOption("--workers <module>", "module whose default export is a WorkerRegistry")
    .option("--concurrency <n>", "jobs in flight at once", int("--concurrency"))
    .option("--queues <a,b>", "queues in strict priority order", list)
    .option("--threads <n>", "Web Workers in the pool", int("--threads"))
    .option("--execution <mode>", "workers or inline")
    .option("--name <name>", "server name")
    .option("--dashboard <host:port>", "also serve the dashboard (e.g. :8080)")
    .action((o) => run(serve(ctx, o)));

  common(root.command("dashboard"))
    .description("serve the dashboard alone until SIGINT/SIGTERM")
    .option("--port <n>", "port (default $QML_DASHBOARD_PORT, else 8080)", int("--port"))
    .option("--host <host>", "interface (default $QML_DASHBOARD_HOST, else 127.0.0.1)")
    .option("--read-only", "no retry, delete, enqueue or recurring controls")
    .action((o) => run(dashboard(ctx, o)));

  common(root.command("migrate"))
    .description("apply pending schema migrations (SQL backends)")
    .option("--dry-run", "list pending migrations without applying them")
    .action((o) => run(migrate(ctx.io, o)));

  common(root.command("health"))
    .description("exit 0 when the storage answers (and is migrated), 1 otherwise")
    .action((o) => run(health(ctx.io, o)));

  common(root.command("stats"))
    .description("job counts by state and by queue")
    .action((o) => run(stats(ctx.io, o)));

  common(root.command("purge"))
    .description("delete succeeded, failed and deleted jobs that finished before a time")
    .requiredOption("--older-than <duration>", "finished longer ago than this, e.g. 7d, 12h")
    .action((o) => run(purge(ctx.io, o)));

  common(root.command("enqueue"))
    .description("enqueue one job")
    .argument("<method>", "the worker's name")
    .option("--args <json>", "the job's arguments as JSON")
    .option("--queue <name>", "queue (default: default)")
    .option("--delay <duration>", "run after this delay, e.g. 30s, 5m")
    .option("--priority <n>", "higher runs first", int("--priority"))
    .option("--max-attempts <n>", "attempts in all", int("--max-attempts"))
    .option("--unique-key <key>", "no second live job with this key")
    .action((method, o) => run(enqueue(ctx.io, method, o)));

  const jobs = root.command("jobs").description("list, show, retry or delete jobs");
  filters(common(jobs.command("list")))
    .description("one page of jobs, newest first")
    .option("--limit <n>", "page size (1..1000, default 20)", int("--limit"))
    .option("--cursor <cursor>", "the page after a previous one")
    .action((o) => run(listJobs(ctx.io, o)));
  common(jobs.command("show"))
    .description("one job with its history")
    .argument("<id>", "job id")
    .action((id, o) => run(showJob(ctx.io, id, o)));
  for (const action of ["retry", "delete"] as const) {
    filters(common(jobs.command(action)))
      .description(`${action} the given jobs, or every job a filter matches`)
      .argument("[ids...]", "job ids")
      .action((ids, o) => run(actOnJobs(ctx.io, action, ids, o)));
  }
  const recurring = root.command("recurring").description("manage recurring (cron) templates");
  common(recurring.command("list"))
    .description("every template with its next runs")
    .action((o) => run(listRecurring(ctx.io, o)));
  const acts = {
    trigger: "enqueue one job of the template now",
    pause: "stop the template's ticks until resumed",
    resume: "resume a paused template",
    remove: "delete the template",
  } as const;
  for (const [action, description] of Object.entries(acts)) {
    common(recurring.command(action))
      .description(description)
      .argument("<name>", "template name")
      .action((name, o) => run(actOnRecurring(ctx.io, action as keyof typeof acts, name, o)));
  }
  return root;
}

/**
 * Run the CLI with `args` (without the program name). Returns the exit code:
 * 0 ok, 1 the command failed, 2 the command line was wrong.
 */
export async function main(args: string[], io: Io = processIo): Promise<number> {
  const stop = stopSignal();
  const result = { code: EXIT.ok as number };
  try {
    await program({ io, stopSignal: stop.signal }, result).parseAsync(args, { from: "user" });
    return result.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; every other parse failure is a usage error.
      return err.code === "commander.helpDisplayed" || err.code === "commander.version" ||
          err.code === "commander.help"
        ? EXIT.ok
        : EXIT.usage;
    }
    io.err(errorLine(err));
    return exitCodeOf(err);
  } finally {
    stop.dispose();
  }
}

// SIGINT / SIGTERM as a promise; listeners removed when the command ends so that
// short commands exit at once.
function stopSignal(): { signal: Promise<string>; dispose(): void } {
  let resolve!: (s: string) => void;
  const signal = new Promise<string>((r) => resolve = r);
  const handlers = (["SIGINT", "SIGTERM"] as const).map((name) => {
    const h = () => resolve(name);
    Deno.addSignalListener(name, h);
    return [name, h] as const;
  });
  return {
    signal,
    dispose: () => handlers.forEach(([n, h]) => Deno.removeSignalListener(n, h)),
  };
}
