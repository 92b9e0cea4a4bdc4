/**
 * A stored record that does not decode (edited by hand, written by another program, damaged)
 * fails its own job and nothing else: the other jobs of its fetch run, reads return it marked
 * `unreadable`; a damaged recurring template is skipped while the others keep ticking. Redis and SQLite store JSON as text that can be damaged; Postgres's json
 * columns refuse text that does not parse, and MemoryStorage keeps values, not text.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { JobState } from "../../src/job_state.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { openTestStorage as openRedis, withRedis } from "../_helpers/redis.ts";
import { JobClient } from "../../src/client.ts";
import { ManualClock } from "../../src/clock.ts";
import { consoleLogger } from "../../src/logger.ts";
import { cronPlugin } from "../../src/maintenance/cron_scheduler.ts";
import { scheduleRecurring } from "../../src/recurring_store.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { withServer } from "./_server.ts";

interface Damaged {
  storage: Storage;
  /** Overwrite the stored `args` of job `id` with text that is not JSON. */
  damageArgs(id: string): Promise<void>;
  /** Overwrite the stored JSON of recurring template `name` with text that is not JSON. */
  damageTemplate(name: string): Promise<void>;
  cleanup(): Promise<void>;
}

const BACKENDS: [string, () => Promise<Damaged>][] = [
  ["redis", async () => {
    const h = await openRedis();
    return {
      storage: h.storage,
      damageArgs: async (id) => {
        await withRedis((r) => r.hset(h.storage.keys.job(id), "args", "{not json"));
      },
      damageTemplate: async (name) => {
        await withRedis((r) => r.hset(h.storage.keys.recurring(name), "json", "{not json"));
      },
      cleanup: h.cleanup,
    };
  }],
  ["sqlite", async () => {
    const dir = await Deno.makeTempDir({ prefix: "qml_unreadable_" });
    const path = `${dir}/jobs.db`;
    const storage = await SqliteStorage.open({ path });
    return {
      storage,
      damageArgs: (id) => update(path, "UPDATE jobs SET args = '{not json' WHERE id = ?", id),
      damageTemplate: (name) =>
        update(path, "UPDATE recurring SET args = '{not json' WHERE name = ?", name),
      cleanup: async () => {
        await storage.close();
        await Deno.remove(dir, { recursive: true });
      },
    };
  }],
];

for (const [name, open] of BACKENDS) {
  Deno.test(`[${name}] a job whose stored args do not parse fails alone; the rest of its fetch runs`, async () => {
    const b = await open();
    try {
      const jobs = await enqueueFive(b.storage);
      const bad = jobs[2];
      await b.damageArgs(bad);
      // A read meets the damaged record without throwing, and says what is wrong with it.
      const read = await b.storage.get({ id: bad });
      assert.equal(read?.args, null);
      assert.match(read?.unreadable ?? "", /^args: /);
      const page = await b.storage.list({ limit: 10 });
      assert.equal(page.jobs.length, 5);

      await withServer(
        { storage: b.storage, execution: "inline", concurrency: 10, fetchBatchSize: 10 },
        async () => {
          await waitUntil(async () => {
            const c = (await b.storage.counts()).byState;
            return c.Succeeded === 4 && c.Failed === 1;
          }, { what: "4 jobs succeeded and the damaged one failed" });
        },
      );
      const failed = await b.storage.get({ id: bad });
      assert.equal(failed?.state, JobState.Failed);
      assert.equal(failed?.attempts, 1);
      assert.equal(failed?.error?.name, "StorageError");
      assert.match(failed?.error?.message ?? "", /could not be read \(args: /);
      for (const id of jobs.filter((id) => id !== bad)) {
        assert.equal((await b.storage.get({ id }))?.state, JobState.Succeeded);
      }
    } finally {
      await b.cleanup();
    }
  });
}

for (const [name, open] of BACKENDS) {
  Deno.test(`[${name}] a recurring template whose stored record does not parse is skipped; the others tick`, async () => {
    const b = await open();
    try {
      const clock = new ManualClock(new Date("2026-03-01T00:00:00.000Z"));
      for (const t of ["good", "bad"]) {
        await scheduleRecurring(b.storage, clock, {
          name: t,
          cron: "*/5 * * * * *",
          method: "noop",
          args: { t },
        });
      }
      await b.damageTemplate("bad");
      const list = await b.storage.listRecurring();
      assert.deepEqual(list.map((t) => [t.name, t.unreadable !== undefined]).sort(), [
        ["bad", true],
        ["good", false],
      ]);
      const errors: string[] = [];
      const logger = { ...consoleLogger("silent"), error: (msg: string) => errors.push(msg) };
      const cron = cronPlugin({ storage: b.storage, clock, serverName: "s1", logger }, {
        intervalMs: 10_000,
      });
      clock.advance(6_000);
      assert.equal(await cron.tick(clock.now()), 1);
      clock.advance(5_000);
      assert.equal(await cron.tick(clock.now()), 1);
      const jobs = (await b.storage.list({ limit: 10 })).jobs;
      assert.deepEqual(jobs.map((j) => j.args), [{ t: "good" }, { t: "good" }]);
      assert.equal(errors.length, 1, "reported once, not once per tick");
      assert.match(errors[0], /recurring "bad"/);
      // Scheduling it again replaces the damaged record.
      await scheduleRecurring(b.storage, clock, {
        name: "bad",
        cron: "*/5 * * * * *",
        method: "noop",
        args: { t: "bad" },
      });
      assert.equal((await b.storage.getRecurring({ name: "bad" }))?.unreadable, undefined);
    } finally {
      await b.cleanup();
    }
  });
}

function update(path: string, sql: string, key: string): Promise<void> {
  const db = new DatabaseSync(path);
  try {
    db.prepare(sql).run(key);
  } finally {
    db.close();
  }
  return Promise.resolve();
}

// Five no-op jobs, enqueued before any server runs; their ids.
async function enqueueFive(storage: Storage): Promise<string[]> {
  const jobs = await new JobClient(storage).enqueueMany(
    Array.from({ length: 5 }, (_, i) => ({ worker: "noop", args: { i } })),
  );
  return jobs.map((j) => j.id);
}
