/**
 * SqliteStorage and its file: files it must refuse (and leave untouched), the schema
 * version, migrations from two processes at once, durability, every job surviving a close
 * and reopen, and verbs on a closed storage.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ConfigError, MigrationError, StorageError } from "../../src/errors.ts";
import { createJob, type Job } from "../../src/job.ts";
import { JobState } from "../../src/job_state.ts";
import { Connection } from "../../src/storage/sqlite/connection.ts";
import { resolveConfig } from "../../src/storage/sqlite/config.ts";
import { insertJobs } from "../../src/storage/sqlite/enqueue.ts";
import { fetchAndLock, transition } from "../../src/storage/sqlite/job_verbs.ts";
import { migrate, SQLITE_MIGRATIONS } from "../../src/storage/sqlite/migrate.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { decide, type TransitionItem } from "../../src/transitions.ts";
import { CHILD, inTempDir, isStorageError, T0 } from "../_helpers/sqlite_files.ts";

/** Transitions for running jobs of server "srv": every other one succeeds, the rest fail. */
function finishAlternately(running: readonly Job[]): TransitionItem[] {
  return running.map((j, k) => ({
    id: j.id,
    guard: { state: JobState.Processing, lockedBy: "srv" },
    next: decide(
      j,
      k % 2
        ? { type: "succeeded" as const, result: { k } }
        : { type: "failed" as const, error: { name: "E", message: `boom ${k}` } },
      { now: T0, server: "srv", random: () => 0 },
    ),
  }));
}

Deno.test("[sqlite] a missing directory or a directory path is a StorageError", async () => {
  await inTempDir(async (dir) => {
    await assert.rejects(
      () => SqliteStorage.open({ path: `${dir}/nope/jobs.db` }),
      isStorageError(/no directory/),
    );
    await assert.rejects(() => SqliteStorage.open({ path: dir }), isStorageError(/not a file/));
    await assert.rejects(() => SqliteStorage.open({ path: "" }), ConfigError);
    await assert.rejects(
      () => SqliteStorage.open({ path: `${dir}/a.db`, durability: "fast" as "full" }),
      ConfigError,
    );
  });
});

Deno.test("[sqlite] a file that is not a database is refused and left untouched", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/notes.txt`;
    const text = "my precious notes, not a database\n".repeat(200);
    await Deno.writeTextFile(path, text);
    await assert.rejects(() => SqliteStorage.open({ path }), isStorageError(/not a SQLite/));
    assert.equal(await Deno.readTextFile(path), text);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["notes.txt"]);
  });
});

Deno.test("[sqlite] a read-only file is refused and left untouched", async (t) => {
  await inTempDir(async (dir) => {
    const path = `${dir}/jobs.db`;
    const s = await SqliteStorage.open({ path });
    await s.enqueue({ jobs: [createJob({ method: "m", args: 1, now: T0 })], now: T0 });
    await s.close();
    const before = await Deno.readFile(path);
    await Deno.chmod(path, 0o444);
    // root ignores permission bits: make the file immutable instead (needs chattr).
    const immutable = Deno.uid() === 0 &&
      (await new Deno.Command("chattr", { args: ["+i", path] }).output().catch(() => null))
          ?.success === true;
    if (Deno.uid() === 0 && !immutable) {
      await t.step({ name: "skipped: root without chattr", ignore: true, fn() {} });
      return;
    }
    try {
      await assert.rejects(() => SqliteStorage.open({ path }), isStorageError(/read-only/));
      assert.deepEqual(await Deno.readFile(path), before);
    } finally {
      if (immutable) await new Deno.Command("chattr", { args: ["-i", path] }).output();
      await Deno.chmod(path, 0o644);
    }
  });
});

Deno.test("[sqlite] a database of a newer schema version is refused, its data kept", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/jobs.db`;
    const s = await SqliteStorage.open({ path });
    await s.enqueue({ jobs: [createJob({ method: "m", args: 1, now: T0 })], now: T0 });
    await s.close();
    const db = new DatabaseSync(path);
    db.exec("INSERT INTO qml_migrations VALUES (99, '0099_from_the_future', 0)");
    db.close();
    for (const autoMigrate of [true, false]) {
      await assert.rejects(() => SqliteStorage.open({ path, autoMigrate }), (err: unknown) => {
        assert.ok(err instanceof MigrationError);
        assert.equal(err.migration, "0099_from_the_future");
        assert.match(err.message, /newer/);
        return true;
      });
    }
    const check = new DatabaseSync(path);
    assert.equal(check.prepare("SELECT count(*) AS n FROM jobs").get()!.n, 1);
    assert.equal(check.prepare("SELECT count(*) AS n FROM qml_migrations").get()!.n, 6);
    check.close();
  });
});

Deno.test("[sqlite] a failing migration is a MigrationError naming it; nothing of it kept", async () => {
  await inTempDir(async (dir) => {
    const conn = await Connection.open(resolveConfig({ path: `${dir}/jobs.db` }));
    try {
      const broken = [
        ...SQLITE_MIGRATIONS,
        { version: 9, name: "0009_broken", sql: "CREATE TABLE extra (x); CREATE TABLE jobs (x)" },
      ];
      assert.throws(() => migrate(conn, broken), (err: unknown) => {
        assert.ok(err instanceof MigrationError);
        assert.equal(err.migration, "0009_broken");
        return true;
      });
      const tables = conn.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
      assert.deepEqual(tables, [], "the whole run rolled back");
      assert.deepEqual(migrate(conn).applied, [
        "0001_schema",
        "0002_job_counts",
        "0003_trace_context",
        "0004_dashboard_index_terms",
        "0005_jobs_rowid",
      ]);
      assert.deepEqual(migrate(conn).applied, []);
    } finally {
      conn.close();
    }
  });
});

Deno.test("[sqlite] migrate() from two processes at once applies each migration once", async () => {
  for (let round = 0; round < 3; round++) {
    await inTempDir(async (dir) => {
      const path = `${dir}/jobs.db`;
      const run = () =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", CHILD, "migrate", path],
          stdout: "piped",
          stderr: "inherit",
        }).output();
      const outs = await Promise.all([run(), run()]);
      const results = outs.map((o) => {
        assert.equal(o.code, 0);
        return JSON.parse(new TextDecoder().decode(o.stdout));
      });
      const applied = results.flatMap((r) => r.applied);
      assert.deepEqual(
        applied,
        [
          "0001_schema",
          "0002_job_counts",
          "0003_trace_context",
          "0004_dashboard_index_terms",
          "0005_jobs_rowid",
        ],
        JSON.stringify(results),
      );
      assert.ok(results.every((r) => r.version === 5));
      const s = await SqliteStorage.open({ path });
      assert.deepEqual(await s.pendingMigrations(), []);
      assert.equal((await s.healthCheck()).ok, true);
      await s.close();
    });
  }
});

Deno.test("[sqlite] durability and busy timeout are applied to the connection", async () => {
  await inTempDir(async (dir) => {
    // "full": SQLite commits without its own fsync and qml syncs the WAL before acknowledging.
    const full = await SqliteStorage.open({ path: `${dir}/a.db` });
    assert.deepEqual(full.settings(), {
      journalMode: "wal",
      synchronous: 1,
      busyTimeoutMs: 5000,
      syncsWal: true,
    });
    await full.close();
    const normal = await SqliteStorage.open({
      path: `${dir}/b.db`,
      durability: "normal",
      busyTimeoutMs: 1234,
    });
    assert.deepEqual(normal.settings(), {
      journalMode: "wal",
      synchronous: 1,
      busyTimeoutMs: 1234,
      syncsWal: false,
    });
    await normal.close();
    // No WAL without a file: nothing to sync.
    const memory = await SqliteStorage.open({ path: ":memory:" });
    assert.equal(memory.settings().syncsWal, false);
    await memory.close();
  });
});

Deno.test("[sqlite] every job survives closing and reopening the file", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/jobs.db`;
    let s = await SqliteStorage.open({ path });
    const jobs = Array.from({ length: 1_000 }, (_, i) =>
      createJob({
        method: i % 2 ? "odd" : "even",
        args: { i, text: "ünïcødé ✓" },
        now: T0,
        queue: `q${i % 3}`,
        priority: i % 5,
        runAt: i % 10 === 0 ? new Date(T0.getTime() + 60_000) : undefined,
        uniqueKey: i % 50 === 0 ? `k${i}` : null,
      }));
    await s.enqueue({ jobs, now: T0 });
    const taken = await s.fetchAndLock({
      queues: ["q0", "q1"],
      limit: 300,
      serverName: "srv",
      lockTtlMs: 30_000,
      now: T0,
    });
    const items = finishAlternately(taken.slice(0, 200));
    assert.ok((await s.transition({ items, now: T0 })).every(Boolean));
    const all = async () => {
      const out = [];
      let cursor: string | null = null;
      do {
        const page = await s.list({ limit: 1_000, cursor });
        out.push(...page.jobs);
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };
    const before = await all();
    const countsBefore = await s.counts();
    await s.close();
    s = await SqliteStorage.open({ path });
    try {
      assert.equal(before.length, 1_000);
      assert.deepEqual(await all(), before);
      assert.deepEqual(await s.counts(), countsBefore);
      // The kept counts agree with a recount of the rows.
      const db = new DatabaseSync(path, { readOnly: true } as Record<string, unknown>);
      const recount = db.prepare("SELECT state, count(*) AS n FROM jobs GROUP BY state").all();
      db.close();
      for (const r of recount) assert.equal(countsBefore.byState[r.state as JobState], r.n);
      assert.equal(countsBefore.byState.Processing, 100);
      await assert.rejects(() => s.enqueue({ jobs: [], now: T0, tx: {} }), ConfigError);
    } finally {
      await s.close();
    }
  });
});

Deno.test("[sqlite] a verb on a closed storage is a StorageError", async () => {
  await inTempDir(async (dir) => {
    const s = await SqliteStorage.open({ path: `${dir}/jobs.db` });
    await s.close();
    await s.close(); // idempotent
    await assert.rejects(() => s.get({ id: "x" }), StorageError);
    await assert.rejects(
      () => s.enqueue({ jobs: [createJob({ method: "m", args: 1, now: T0 })], now: T0 }),
      StorageError,
    );
  });
});

Deno.test("[sqlite] migration 0005 rebuilds the jobs table with every row as it was", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/jobs.db`;
    // A database of schema 4 holding jobs in several states, with keys, locks and histories.
    const conn = await Connection.open(resolveConfig({ path, durability: "normal" }));
    let before: unknown[];
    try {
      migrate(conn, SQLITE_MIGRATIONS.slice(0, 4));
      const jobs = Array.from({ length: 300 }, (_, i) =>
        createJob({
          method: `m${i % 3}`,
          args: { i, text: "é\u0000x" },
          now: T0,
          queue: `q${i % 2}`,
          priority: i % 5,
          uniqueKey: i % 10 === 0 ? `key-${i}` : undefined,
          runAt: i % 7 === 0 ? new Date(T0.getTime() + 60_000) : undefined,
        }));
      conn.write("enqueue", () => insertJobs(conn, jobs, [], new Set()));
      const taken = conn.write("fetch", () =>
        fetchAndLock(conn, {
          queues: ["q0", "q1"],
          limit: 120,
          serverName: "srv",
          lockTtlMs: 30_000,
          now: T0,
        }));
      conn.write("finish", () =>
        transition(conn, {
          items: finishAlternately(taken.slice(0, 80)),
          now: T0,
        }, () => {}));
      before = conn.db.prepare("SELECT * FROM jobs ORDER BY id").all();
      assert.equal(before.length, 300);
    } finally {
      conn.close();
    }

    const s = await SqliteStorage.open({ path });
    try {
      assert.equal((await s.healthCheck()).schemaVersion, 5);
      const db = new DatabaseSync(path);
      try {
        assert.deepEqual(db.prepare("SELECT * FROM jobs ORDER BY id").all(), before);
        assert.equal(db.prepare("PRAGMA integrity_check").get()!.integrity_check, "ok");
        assert.ok(db.prepare("SELECT rowid FROM jobs LIMIT 1").get(), "a rowid table now");
      } finally {
        db.close();
      }
      // The unique keys still bind: a live key returns its holder; counts are unchanged.
      const rows = before as { unique_key: string | null; state: string; id: string }[];
      const holder = rows.find((r) => r.unique_key !== null && r.state === JobState.Enqueued)!;
      const again = createJob({ method: "m0", args: 1, now: T0, uniqueKey: holder.unique_key });
      const [res] = await s.enqueue({ jobs: [again], now: T0 });
      assert.deepEqual([res.created, res.job.id], [false, holder.id]);
      const enqueued = rows.filter((r) => r.state === JobState.Enqueued).length;
      assert.equal((await s.counts()).byState.Enqueued, enqueued);
    } finally {
      await s.close();
    }
  });
});
