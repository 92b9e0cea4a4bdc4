/**
 * Durability "full" on SQLite as group commit (`src/storage/sqlite/wal_sync.ts`): a write is
 * acknowledged only after a WAL sync that started after its commit; the commits made during
 * one sync share the next; a failed sync fails its writes and every later one; closing waits
 * for a sync in flight. The syncs are held by the tests, so every order is decided here.
 */
import assert from "node:assert/strict";
import { StorageError } from "../../src/errors.ts";
import { createJob, type Job } from "../../src/job.ts";
import { JobState } from "../../src/job_state.ts";
import { SMALL_WRITE, SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { decide } from "../../src/transitions.ts";
import { resolveConfig } from "../../src/storage/sqlite/config.ts";
import { Connection } from "../../src/storage/sqlite/connection.ts";
import { ENQUEUE_CHUNK, EnqueueGroup } from "../../src/storage/sqlite/group_commit.ts";
import { migrate } from "../../src/storage/sqlite/migrate.ts";
import { type SyncCalls, WalSync } from "../../src/storage/sqlite/wal_sync.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { inTempDir, T0 } from "../_helpers/sqlite_files.ts";

/**
 * Syncs off the thread that wait until the test releases them, in the order they started;
 * syncs on the thread, counted (and failing with `failNow`).
 */
class HeldSyncs implements SyncCalls {
  readonly started: PromiseWithResolvers<void>[] = [];
  onThread = 0;
  failNow: Error | null = null;
  readonly syncData = (_file: Deno.FsFile): Promise<void> => {
    const held = Promise.withResolvers<void>();
    this.started.push(held);
    return held.promise;
  };
  readonly syncDataSync = (_file: Deno.FsFile): void => {
    if (this.failNow) throw this.failNow;
    this.onThread++;
  };
  /** Wait until `n` syncs have started. */
  async until(n: number): Promise<void> {
    await waitUntil(() => this.started.length >= n, { what: `${n} syncs` });
  }
}

/** A promise's state, read without waiting for it. */
async function settled(p: Promise<unknown>): Promise<"pending" | "resolved" | "rejected"> {
  const pending = Symbol();
  const winner = await Promise.race([p, Promise.resolve(pending)]).then(
    (v) => v === pending ? "pending" : "resolved",
    () => "rejected" as const,
  );
  return winner as "pending" | "resolved" | "rejected";
}

/** A WalSync on a fresh WAL file whose syncs `held` holds; `commit()` counts one commit more. */
async function withWal(
  fn: (t: { wal: WalSync; held: HeldSyncs; commit: () => void }) => Promise<void>,
): Promise<void> {
  await inTempDir(async (dir) => {
    const path = `${dir}/jobs.db-wal`;
    await Deno.writeTextFile(path, "");
    const held = new HeldSyncs();
    let commits = 0;
    const wal = new WalSync(path, () => commits, held);
    try {
      await fn({ wal, held, commit: () => void commits++ });
    } finally {
      for (const h of held.started) h.resolve();
      await wal.close();
    }
  });
}

const refused = (err: unknown) => {
  assert.ok(err instanceof StorageError);
  assert.match(err.message, /could not be synced.*EIO/s);
  return true;
};

Deno.test("[sqlite] WAL sync: a sync covers the commits made before it began, and only those", async () => {
  await withWal(async ({ wal, held, commit }) => {
    await wal.flushed(); // nothing committed: nothing to wait for
    assert.equal(held.started.length, 0);
    commit();
    const a = wal.flushed(), b = wal.flushed(); // the same commit: one sync
    await held.until(1);
    const b2 = wal.flushed(); // still nothing new: the sync in flight covers it
    commit();
    const c = wal.flushed(); // committed after the sync in flight began: the next one
    const d = wal.flushed();
    assert.equal(await settled(a), "pending");
    held.started[0].resolve();
    await Promise.all([a, b, b2]);
    assert.equal(await settled(c), "pending");
    await held.until(2);
    held.started[1].resolve();
    await Promise.all([c, d]);
    await wal.flushed(); // both commits are on disk
    assert.equal(held.started.length, 2);
  });
});

Deno.test("[sqlite] WAL sync: a failed sync fails its writes and every later one", async () => {
  await withWal(async ({ wal, held, commit }) => {
    commit();
    const a = wal.flushed();
    await held.until(1);
    held.started[0].reject(new Error("EIO: input/output error"));
    await assert.rejects(a, refused);
    commit();
    // After a failed fsync the kernel may have dropped the pages: no later sync is trusted.
    await assert.rejects(wal.flushed(), refused);
    assert.throws(() => wal.flushedNow(), refused);
    assert.equal(held.started.length, 1);
  });
});

Deno.test("[sqlite] WAL sync: close waits for the sync in flight and the one queued behind it", async () => {
  await withWal(async ({ wal, held, commit }) => {
    commit();
    const a = wal.flushed();
    await held.until(1);
    commit();
    const b = wal.flushed();
    const closed = wal.close();
    held.started[0].resolve();
    await a;
    await held.until(2);
    assert.equal(await settled(closed), "pending");
    held.started[1].resolve();
    await Promise.all([b, closed]);
  });
});

Deno.test("[sqlite] WAL sync on the thread: once per new commit, and a failure is final", async () => {
  await withWal(async ({ wal, held, commit }) => {
    wal.flushedNow();
    assert.equal(held.onThread, 0, "nothing committed");
    commit();
    wal.flushedNow();
    wal.flushedNow();
    assert.equal(held.onThread, 1);
    await wal.flushed(); // that commit is on disk already: no sync off the thread
    assert.equal(held.started.length, 0);
    commit();
    held.failNow = new Error("EIO: input/output error");
    assert.throws(() => wal.flushedNow(), refused);
    held.failNow = null;
    assert.throws(() => wal.flushedNow(), refused);
    await assert.rejects(wal.flushed(), refused);
  });
});

function jobs(n: number, uniqueKey?: string): Job[] {
  return Array.from(
    { length: n },
    (_, i) => createJob({ method: "noop", args: { i }, now: T0, uniqueKey }),
  );
}

/** An enqueue group on a fresh database whose acknowledgements wait for `flushed`. */
async function group(dir: string, flushed: () => Promise<void>) {
  const conn = await Connection.open(resolveConfig({ path: `${dir}/jobs.db` }));
  migrate(conn);
  const g = new EnqueueGroup(conn, (op, fn) => conn.write(op, () => fn(() => {})), flushed);
  const stored = () => Number(conn.db.prepare("SELECT count(*) AS n FROM jobs").get()!.n);
  return { conn, g, stored };
}

Deno.test("[sqlite] an enqueue is acknowledged only once its commit is durable", async () => {
  await inTempDir(async (dir) => {
    let flush = Promise.withResolvers<void>();
    const { conn, g, stored } = await group(dir, () => flush.promise);
    try {
      const one = g.add(jobs(1));
      const two = g.add(jobs(2));
      await waitUntil(() => stored() === 3, { what: "the shared commit" });
      assert.equal(await settled(one), "pending");
      assert.equal(await settled(two), "pending");
      flush.resolve();
      assert.equal((await one).length, 1);
      assert.deepEqual((await two).map((r) => r.created), [true, true]);

      // The sync fails: every call of that commit is refused with the sync's error, and a
      // call rolled back to its savepoint keeps its own error.
      flush = Promise.withResolvers<void>();
      const failed = new StorageError("the disk refused");
      const ok = g.add(jobs(1));
      const bad = g.add([{ ...jobs(1)[0], method: "" }]); // the CHECK (method <> '') refuses it
      flush.reject(failed);
      await assert.rejects(ok, (err) => err === failed);
      await assert.rejects(bad, (err) => err instanceof StorageError && err !== failed);
    } finally {
      conn.close();
    }
  });
});

Deno.test("[sqlite] a bulk enqueue syncs each chunk while writing the next, and is acknowledged after the last", async () => {
  await inTempDir(async (dir) => {
    const calls: PromiseWithResolvers<void>[] = [];
    const { conn, g, stored } = await group(dir, () => {
      const p = Promise.withResolvers<void>();
      calls.push(p);
      return p.promise;
    });
    try {
      const n = ENQUEUE_CHUNK * 2 + 1;
      const bulk = g.store(jobs(n));
      // One call per chunk as it commits (not awaited), then the one acknowledging the batch.
      await waitUntil(() => calls.length === 4, { what: "a sync request per chunk" });
      assert.equal(stored(), n);
      for (const c of calls.slice(0, 3)) c.resolve();
      assert.equal(await settled(bulk), "pending");
      calls[3].resolve();
      assert.equal((await bulk).length, n);
    } finally {
      conn.close();
    }
  });
});

Deno.test("[sqlite] the storage acknowledges a write once it is durable: small ones synced on the thread, larger ones off it", async () => {
  await inTempDir(async (dir) => {
    // The storage syncs through `Deno.FsFile`'s methods: hold and count them for this test.
    const held = new HeldSyncs();
    const proto = Deno.FsFile.prototype;
    const original = { syncData: proto.syncData, syncDataSync: proto.syncDataSync };
    proto.syncData = function () {
      return held.syncData(this);
    };
    proto.syncDataSync = function () {
      held.syncDataSync(this);
    };
    const release = async (n: number) => {
      await held.until(n);
      held.started[n - 1].resolve();
    };
    const large = SMALL_WRITE + 1;
    try {
      const storage = await SqliteStorage.open({ path: `${dir}/jobs.db` });
      assert.equal(held.onThread, 1, "the migrations");
      try {
        // Small: synced before the call returns, on the thread.
        const [one] = jobs(1);
        await storage.enqueue({ jobs: [one], now: T0 });
        assert.equal(held.onThread, 2);

        // Larger: pending until the sync off the thread is done; reads do not wait.
        const batch = jobs(large);
        const enqueued = storage.enqueue({ jobs: batch, now: T0 });
        await held.until(1);
        assert.equal(await settled(enqueued), "pending");
        assert.equal((await storage.get({ id: batch[0].id }))?.state, JobState.Enqueued);
        await release(1);
        await enqueued;

        const fetching = storage.fetchAndLock({
          queues: ["default"],
          limit: large + 1,
          serverName: "s",
          lockTtlMs: 60_000,
          now: T0,
        });
        await held.until(2);
        assert.equal(await settled(fetching), "pending");
        await release(2);
        const running = await fetching;
        assert.equal(running.length, large + 1);

        const items = running.map((job) => ({
          id: job.id,
          guard: { state: JobState.Processing, lockedBy: "s" },
          next: decide(job, { type: "succeeded", result: null }, { now: T0, server: "s" }),
        }));
        const finishing = storage.transition({ items, now: T0 });
        await held.until(3);
        assert.equal(await settled(finishing), "pending");
        await release(3);
        assert.ok((await finishing).every(Boolean));
        assert.equal(held.onThread, 2, "no large write synced on the thread");
      } finally {
        const closing = storage.close();
        for (const h of held.started) h.resolve();
        await closing;
      }
    } finally {
      Object.assign(proto, original);
    }
  });
});
