/**
 * Where a benchmark run keeps its jobs: a fresh Postgres schema, Redis key prefix or SQLite
 * file per run (named by the harness, handed to both child processes), or a MemoryStorage of
 * the process itself. Also how the harness drops them afterwards, and how an observer on a
 * separate connection asks whether any job is left unfinished.
 *
 * @module
 */

/**
 * A backend a case runs on. `sqlite` is durability "full" (the default); `sqlite-normal` the
 * same file with `durability=normal`, to measure what "full" costs.
 */
export type BackendName = "postgres" | "redis" | "memory" | "sqlite" | "sqlite-normal";

/** Every backend, in table order. */
export const BACKENDS: readonly BackendName[] = [
  "postgres",
  "redis",
  "sqlite",
  "sqlite-normal",
  "memory",
];

/** The backends `deno task bench` runs when no `--backend` is given. */
export const DEFAULT_BACKENDS: readonly BackendName[] = ["postgres", "redis", "sqlite", "memory"];

/** Where the SQLite files go: TMPDIR (default /tmp), on the machine's disk unless it is a tmpfs. */
export const SQLITE_DIR = Deno.env.get("TMPDIR") ?? "/tmp";

/** The SQLite database file of namespace `ns` (its `-wal` and `-shm` files sit beside it). */
function sqliteFile(ns: string): string {
  return `${SQLITE_DIR}/${ns}.db`;
}

/** Postgres server of the benchmarks (`DATABASE_URL` overrides). */
export const PG_URL = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
/** Redis server of the benchmarks (`REDIS_URL` overrides). */
export const REDIS_URL = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379/0";

/** A fresh, unused namespace (schema / key prefix) for one run. */
export function freshNamespace(): string {
  return `qmlb_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** The storage URL `openStorage` takes for `backend` in namespace `ns`. */
export function storageUrl(backend: BackendName, ns: string): string {
  switch (backend) {
    case "postgres":
      return `${PG_URL}${PG_URL.includes("?") ? "&" : "?"}schema=${ns}`;
    case "redis":
      return `${REDIS_URL}${REDIS_URL.includes("?") ? "&" : "?"}prefix=${ns}`;
    case "memory":
      return "memory://";
    case "sqlite":
      return `sqlite:${sqliteFile(ns)}`;
    case "sqlite-normal":
      return `sqlite:${sqliteFile(ns)}?durability=normal`;
  }
}

/** The states a drained backlog has none of. */
export const UNFINISHED = ["Enqueued", "Scheduled", "Processing", "AwaitingRetry"] as const;

/**
 * A probe on its own connection: resolves whether any job of namespace `ns` is unfinished.
 * On Postgres an index-served `EXISTS` (a full count would cost more than the 5 ms poll at a
 * million rows); on Redis and SQLite the storage's own counts, which read per-state counters
 * (on SQLite a second connection to the file, in the server's process and thread).
 */
export async function openObserver(
  // deno-lint-ignore no-explicit-any
  lib: any,
  backend: BackendName,
  ns: string,
): Promise<{ unfinished(): Promise<boolean>; close(): Promise<void> }> {
  const storage = await lib.openStorage(storageUrl(backend, ns));
  if (backend === "postgres") {
    const text = `SELECT EXISTS (SELECT 1 FROM "${ns}".jobs WHERE state IN (${
      UNFINISHED.map((s) => `'${s}'`).join(", ")
    })) AS any`;
    return {
      unfinished: async () => (await storage.sql.unsafe(text))[0].any as boolean,
      close: () => storage.close(),
    };
  }
  return {
    unfinished: async () => {
      const byState = (await storage.counts()).byState as Record<string, number>;
      return UNFINISHED.some((s) => byState[s] > 0);
    },
    close: () => storage.close(),
  };
}

/**
 * Drop what a run left in `ns` (the harness's own connection; SQLite's file and its companions
 * are deleted; memory needs nothing).
 */
export async function dropNamespace(backend: BackendName, ns: string): Promise<void> {
  if (!/^qmlb_[0-9a-f]{12}$/.test(ns)) throw new Error(`refusing to drop ${ns}`);
  if (backend === "postgres") {
    const { default: postgres } = await import("postgres");
    const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`DROP SCHEMA IF EXISTS "${ns}" CASCADE`);
    } finally {
      await sql.end();
    }
  } else if (backend === "redis") {
    const { Redis } = await import("ioredis");
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    await redis.connect();
    try {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `*${ns}*`, "COUNT", 1000);
        cursor = next;
        if (keys.length) await redis.unlink(...keys);
      } while (cursor !== "0");
      // UNLINK frees in a Redis background thread: a 1,000,000-job prefix keeps it busy for
      // seconds, and the next run would share the two cores with it.
      while (/lazyfree_pending_objects:(\d+)/.exec(await redis.info("memory"))?.[1] !== "0") {
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      redis.disconnect();
    }
  } else if (backend === "sqlite" || backend === "sqlite-normal") {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) {
      await Deno.remove(sqliteFile(ns) + suffix).catch((err) => {
        if (!(err instanceof Deno.errors.NotFound)) throw err;
      });
    }
  }
}
