/**
 * How the CLI talks to the terminal: plain lines or `--json`, one-line errors,
 * and a progress bar on standard error for long commands.
 *
 * @module
 */
import { QmlError } from "../errors.ts";

/** A mistake in the command line itself (exit code 2). */
export class UsageError extends Error {
  /** Create a usage error with a message the user can act on. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Exit codes: 0 ok, 1 the command failed, 2 the command line was wrong. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Where a command writes; tests pass their own. */
export interface Io {
  /** Standard output, one call per line. */
  out(line: string): void;
  /** Standard error, one call per line. */
  err(line: string): void;
  /** Whether standard error is a terminal (progress bars only there). */
  interactive: boolean;
}

const encoder = new TextEncoder();

/** The process's own terminal. */
export const processIo: Io = {
  out: (line) => Deno.stdout.writeSync(encoder.encode(line + "\n")),
  err: (line) => Deno.stderr.writeSync(encoder.encode(line + "\n")),
  interactive: Deno.stderr.isTerminal(),
};

/** Print `value` as JSON (`--json`) or as text lines from `render`. */
export function emit(io: Io, json: boolean, value: unknown, render: () => string[]): void {
  if (json) io.out(JSON.stringify(value, null, 2));
  else for (const line of render()) io.out(line);
}

/** One line for any error: the message of a qml or usage error, never a stack trace. */
export function errorLine(err: unknown): string {
  if (err instanceof QmlError) return `error: ${err.message} (${err.code})`;
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}

/** The exit code an error ends the command with. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError ? EXIT.usage : EXIT.failure;
}

/**
 * A progress bar on standard error, redrawn at most ten times a second; silent when
 * standard error is not a terminal (scripts and CI get only the final line on stdout).
 */
export class Progress {
  readonly #io: Io;
  readonly #label: string;
  #last = 0;

  /** Start a bar named `label`. */
  constructor(io: Io, label: string) {
    this.#io = io;
    this.#label = label;
  }

  /** Show `done` of `total` (total unknown: a count only). */
  update(done: number, total?: number): void {
    if (!this.#io.interactive) return;
    const now = Date.now();
    if (now - this.#last < 100 && done !== total) return;
    this.#last = now;
    const width = 30;
    const bar = total
      ? "[" + "#".repeat(Math.round((done / total) * width)).padEnd(width, ".") + "] "
      : "";
    Deno.stderr.writeSync(
      encoder.encode(`\r${this.#label} ${bar}${done}${total ? `/${total}` : ""}`),
    );
  }

  /** Finish the bar's line. */
  done(): void {
    if (this.#io.interactive) Deno.stderr.writeSync(encoder.encode("\n"));
  }
}
