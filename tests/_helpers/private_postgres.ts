/**
 * A throwaway PostgreSQL server of the test's own (initdb in a temp dir, a random
 * port), so a test can stop and restart a database without disturbing the shared one.
 * Needs the server binaries and root (to run them as the `postgres` user).
 */

/** A private PostgreSQL server. */
export interface PrivatePostgres {
  url: string;
  /** Stop like a crash (`-m immediate`: no checkpoint, recovery at start). */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stop and delete everything. */
  destroy(): Promise<void>;
}

/** The server binaries' folder, or null when this machine has none. */
export function postgresBinDir(): string | null {
  try {
    for (
      const v of [...Deno.readDirSync("/usr/lib/postgresql")].map((e) => e.name).sort().reverse()
    ) {
      const dir = `/usr/lib/postgresql/${v}/bin`;
      Deno.statSync(`${dir}/initdb`);
      return dir;
    }
  } catch {
    // no server binaries here
  }
  return null;
}

/** Why a private server cannot run here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!postgresBinDir()) return "no PostgreSQL server binaries under /usr/lib/postgresql";
  if (Deno.uid?.() !== 0) return "needs root to run the server as the postgres user";
  return null;
}

async function asPostgres(args: string[]): Promise<void> {
  const out = await new Deno.Command("runuser", { args: ["-u", "postgres", "--", ...args] })
    .output();
  if (out.code !== 0) {
    throw new Error(`${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
}

/** initdb + start on a free random port. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir()!;
  const dir = await Deno.makeTempDir({ prefix: "qml-pg-" });
  await Deno.chown(dir, uidOf("postgres"), null);
  const data = `${dir}/data`;
  const port = 30_000 + Math.floor(Math.random() * 10_000);
  await asPostgres([`${bin}/initdb`, "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const pgctl = (...a: string[]) => asPostgres([`${bin}/pg_ctl`, "-D", data, ...a]);
  const start = () =>
    pgctl(
      "-w",
      "-l",
      `${dir}/log`,
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
      "start",
    );
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    crash: () => pgctl("-w", "-m", "immediate", "stop"),
    start,
    async destroy() {
      await pgctl("-w", "-m", "immediate", "stop").catch(() => {});
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function uidOf(user: string): number {
  const line = Deno.readTextFileSync("/etc/passwd").split("\n").find((l) =>
    l.startsWith(`${user}:`)
  );
  if (!line) throw new Error(`no user ${user}`);
  return Number(line.split(":")[2]);
}
