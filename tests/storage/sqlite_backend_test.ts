/**
 * SqliteStorage's own behaviour: files it must refuse (and leave untouched), the schema
 * version, migrations from two processes at once, durability, signals between processes,
 * and every job surviving a close and reopen.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ConfigError, MigrationError, StorageError } from "../../src/errors.ts";
import { createJob } from "../../src/job.ts";
import { JobState } from "../../src/job_state.ts";
import { SEARCH_SCAN_LIMIT, type StorageSignal } from "../../src/storage/storage.ts";
import { Connection } from "../../src/storage/sqlite/connection.ts";
import { resolveConfig } from "../../src/storage/sqlite/config.ts";
import { migrate, SQLITE_MIGRATIONS } from "../../src/storage/sqlite/migrate.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { decide } from "../../src/transitions.ts";
import { waitUntil } from "../_helpers/poll.ts";

const CHILD = new URL("../fixtures/sqlite_child.ts", import.meta.url).pathname;
const T0 = new Date("2026-01-01T00:00:00Z");

async function inTempDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "qml_sqlite_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const isStorageError = (re: RegExp) => (err: unknown) => {
  assert.ok(err instanceof StorageError, String(err));
  assert.match(err.message, re);
  return true;
};

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
    assert.equal(check.prepare("SELECT count(*) AS n FROM qml_migrations").get()!.n, 4);
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
        ["0001_schema", "0002_job_counts", "0003_trace_context"],
        JSON.stringify(results),
      );
      assert.ok(results.every((r) => r.version === 3));
      const s = await SqliteStorage.open({ path });
      assert.deepEqual(await s.pendingMigrations(), []);
      assert.equal((await s.healthCheck()).ok, true);
      await s.close();
    });
  }
});

Deno.test("[sqlite] durability and busy timeout are applied to the connection", async () => {
  await inTempDir(async (dir) => {
    const full = await SqliteStorage.open({ path: `${dir}/a.db` });
    assert.deepEqual(full.settings(), { journalMode: "wal", synchronous: 2, busyTimeoutMs: 5000 });
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
    });
    await normal.close();
  });
});

for (const [how, signalPollMs] of [["the poll", 10], ["the WAL watch", 600_000]] as const) {
  Deno.test(`[sqlite] a job enqueued by another process wakes subscribers (${how})`, async () => {
    await inTempDir(async (dir) => {
      const path = `${dir}/jobs.db`;
      const s = await SqliteStorage.open({ path, signalPollMs });
      const got: StorageSignal[] = [];
      const off = s.subscribe((sig) => got.push(sig));
      try {
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", CHILD, "enqueue", path, "from-afar"],
          stderr: "inherit",
        }).output();
        assert.equal(out.code, 0);
        await waitUntil(() => got.some((g) => g.kind === "ready" && g.queue === "from-afar"), {
          timeoutMs: 5_000,
          what: "the other process's ready signal",
        });
        assert.equal(got.length, 1, "delivered once");
      } finally {
        off();
        await s.close();
      }
    });
  });
}

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
    const items = taken.slice(0, 200).map((j, k) => ({
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

Deno.test("[sqlite] a search scans at most the newest SEARCH_SCAN_LIMIT jobs", async () => {
  await inTempDir(async (dir) => {
    const s = await SqliteStorage.open({ path: `${dir}/jobs.db`, durability: "normal" });
    try {
      const needle = createJob({ method: "m", args: { word: "needle" }, now: T0 });
      await s.enqueue({ jobs: [needle], now: T0 });
      // The hay, newer than the needle (ids sort after its id), copied from it in SQL: fast.
      const db = new DatabaseSync(`${dir}/jobs.db`);
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
         INSERT INTO jobs SELECT id || printf('%06d', i), method, '{"word":"hay"}', queue,
           priority, state, attempts, max_attempts, backoff, timeout_ms, run_at, created_at,
           started_at, finished_at, expires_at, locked_by, locked_until, result, error,
           unique_key, progress, history, trace_context
         FROM jobs, n WHERE jobs.id = ?`,
      ).run(SEARCH_SCAN_LIMIT, needle.id);
      db.close();
      assert.equal(
        (await s.list({ limit: 1, cursor: `${needle.id}000000` })).jobs[0].id,
        needle.id,
      );
      // The needle is the 100,001st newest job: beyond the bound.
      assert.deepEqual((await s.list({ limit: 10, search: "needle" })).jobs, []);
      // Paging past the newest jobs moves the window with the cursor.
      const cursor = `${needle.id}000010`;
      const older = await s.list({ limit: 10, search: "needle", cursor });
      assert.deepEqual(older.jobs.map((j) => j.id), [needle.id]);
    } finally {
      await s.close();
    }
  });
});

Deno.test("[sqlite] search text is literal: % and _ are no wildcards", async () => {
  await inTempDir(async (dir) => {
    const s = await SqliteStorage.open({ path: `${dir}/jobs.db` });
    try {
      const under = createJob({ method: "m", args: { code: "a_b", pct: "50%" }, now: T0 });
      const other = createJob({ method: "m", args: { code: "axb", pct: "50x" }, now: T0 });
      await s.enqueue({ jobs: [under, other], now: T0 });
      const ids = async (search: string) =>
        (await s.list({ limit: 10, search })).jobs.map((j) => j.id);
      assert.deepEqual(await ids("a_b"), [under.id]);
      assert.deepEqual(await ids("50%"), [under.id]);
      assert.deepEqual(await ids("code:a_b"), [under.id]);
      assert.deepEqual(await ids("code:AXB"), [other.id]);
    } finally {
      await s.close();
    }
  });
});

Deno.test("[sqlite] activity recorded by another process reaches subscribers, dates intact", async () => {
  await inTempDir(async (dir) => {
    const path = `${dir}/jobs.db`;
    const s = await SqliteStorage.open({ path });
    const got: StorageSignal[] = [];
    const off = s.subscribe((sig) => got.push(sig));
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", CHILD, "activity", path, "job-42"],
        stderr: "inherit",
      }).output();
      assert.equal(out.code, 0);
      await waitUntil(() => got.some((g) => g.kind === "activity"), {
        timeoutMs: 5_000,
        what: "the other process's activity",
      });
      assert.deepEqual(got, [{
        kind: "activity",
        changes: [{
          type: "succeeded",
          id: "job-42",
          queue: "default",
          method: "m",
          state: JobState.Succeeded,
          at: new Date("2026-01-01T00:00:00Z"),
        }],
      }]);
    } finally {
      off();
      await s.close();
    }
  });
});

Deno.test("[sqlite] enqueues of one turn share a transaction; a failing one fails alone", async () => {
  await inTempDir(async (dir) => {
    const s = await SqliteStorage.open({ path: `${dir}/jobs.db` });
    const got: StorageSignal[] = [];
    const off = s.subscribe((sig) => got.push(sig));
    try {
      const taken = createJob({ method: "m", args: 0, now: T0 });
      await s.enqueue({ jobs: [taken], now: T0 });
      const a = createJob({ method: "m", args: 1, now: T0, queue: "qa" });
      const c = createJob({ method: "m", args: 3, now: T0, queue: "qc" });
      const results = await Promise.allSettled([
        s.enqueue({ jobs: [a], now: T0 }),
        s.enqueue({ jobs: [{ ...taken, queue: "qb" }], now: T0 }), // the same id again
        s.enqueue({ jobs: [c], now: T0 }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ["fulfilled", "rejected", "fulfilled"]);
      assert.ok((results[1] as PromiseRejectedResult).reason instanceof StorageError);
      assert.ok(await s.get({ id: a.id }));
      assert.ok(await s.get({ id: c.id }));
      assert.equal((await s.get({ id: taken.id }))?.queue, "default");
      assert.equal((await s.counts()).byState.Enqueued, 3);
      await waitUntil(() => got.filter((g) => g.kind === "ready").length >= 3, {
        what: "ready signals",
      });
      const queues = got.flatMap((g) => g.kind === "ready" ? [g.queue] : []).sort();
      assert.deepEqual(queues, ["default", "qa", "qc"], "no signal for the failed call");
    } finally {
      off();
      await s.close();
    }
  });
});
