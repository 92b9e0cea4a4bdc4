/**
 * A `redis-server` of a test's own, on a random port and in a temp dir: for cases that change
 * server-wide settings or kill the server, which the shared Redis must never see (other test
 * files run beside them).
 */
import { waitUntil } from "./poll.ts";

/** A running private Redis. */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** The port it listens on. */
  port: number;
  /** The folder it keeps its files in (its AOF, when enabled). */
  dir: string;
  /** SIGKILL it (no goodbye) and wait for the exit. */
  kill(): Promise<void>;
  /** Start it again on the same port and folder (after `kill`). */
  restart(): Promise<void>;
  /** Kill it and remove its folder. */
  stop(): Promise<void>;
}

/** Start a private Redis; `args` are extra `redis-server` options (e.g. `--appendonly yes`). */
export async function startPrivateRedis(args: string[] = []): Promise<PrivateRedis> {
  const dir = await Deno.makeTempDir({ prefix: "qml-private-redis-" });
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  let proc = await spawn(dir, port, args);
  let alive = true;
  const kill = async () => {
    if (!alive) return;
    proc.kill("SIGKILL");
    await proc.status;
    alive = false;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    kill,
    async restart() {
      await kill();
      proc = await spawn(dir, port, args);
      alive = true;
    },
    async stop() {
      await kill();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

async function spawn(dir: string, port: number, args: string[]): Promise<Deno.ChildProcess> {
  const proc = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...args],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await waitUntil(async () => {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return true;
    } catch {
      return false;
    }
  }, { what: `redis-server on ${port}` });
  return proc;
}
