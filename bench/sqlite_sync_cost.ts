/**
 * What one durable commit costs in `node:sqlite`, each way durability "full" could make it:
 * SQLite's own `synchronous=FULL` (the WAL fsynced inside the commit), and `synchronous=NORMAL`
 * followed by qml's sync of the WAL file (`src/storage/sqlite/wal_sync.ts`) on the calling
 * thread (`syncDataSync`, what writes of up to `SMALL_WRITE` jobs do) or off it (`await
 * syncData()`, larger writes); `synchronous=NORMAL` alone (no sync: durability "normal") for
 * scale. 500 one-row commits each, after 50 not timed; three interleaved rounds, median
 * (min–max) of the mean ms per commit.
 *
 *   deno run -A bench/sqlite_sync_cost.ts
 *
 * @module
 */
import { DatabaseSync } from "node:sqlite";

const COMMITS = 500, WARM = 50;

type Way = (db: DatabaseSync, wal: Deno.FsFile) => void | Promise<void>;
const ways: [string, "FULL" | "NORMAL", Way][] = [
  ["`synchronous=FULL` (SQLite syncs in the commit)", "FULL", () => {}],
  ["`synchronous=NORMAL`, then the WAL synced on the thread", "NORMAL", (_, w) => w.syncDataSync()],
  ["`synchronous=NORMAL`, then the WAL synced off the thread", "NORMAL", (_, w) => w.syncData()],
  ["`synchronous=NORMAL`, no sync", "NORMAL", () => {}],
];

async function perCommit(synchronous: string, after: Way): Promise<number> {
  const dir = Deno.makeTempDirSync({ prefix: "qml_sqlite_sync_" });
  const db = new DatabaseSync(`${dir}/jobs.db`);
  try {
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}`);
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)");
    const insert = db.prepare("INSERT INTO t (body) VALUES (?)");
    const wal = Deno.openSync(`${dir}/jobs.db-wal`, { read: true });
    try {
      let t = 0;
      for (let i = 0; i < WARM + COMMITS; i++) {
        if (i === WARM) t = performance.now();
        db.exec("BEGIN IMMEDIATE");
        insert.run("x".repeat(300));
        db.exec("COMMIT");
        await after(db, wal);
      }
      return (performance.now() - t) / COMMITS;
    } finally {
      wal.close();
    }
  } finally {
    db.close();
    Deno.removeSync(dir, { recursive: true });
  }
}

const times = ways.map(() => [] as number[]);
for (let round = 0; round < 3; round++) {
  for (const [i, [, synchronous, after]] of ways.entries()) {
    times[i].push(await perCommit(synchronous, after));
  }
}
console.log("| one-row commit, made durable (ms per commit) | median (min–max) |\n|---|---:|");
ways.forEach(([label], i) => {
  const t = times[i].toSorted((a, b) => a - b);
  console.log(`| ${label} | ${t[1].toFixed(3)} (${t[0].toFixed(3)}–${t[2].toFixed(3)}) |`);
});
