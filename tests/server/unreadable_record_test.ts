/**
 * A stored record that does not decode (edited by hand, written by another program, damaged)
 * fails its own job and nothing else: the other jobs of its fetch run, reads return it marked
 * `unreadable`. Redis and SQLite store JSON as text that can be damaged; Postgres's json
 * columns refuse text that does not parse, and MemoryStorage keeps values, not text.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { JobState } from "../../src/job_state.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { openTestStorage as openRedis, withRedis } from "../_helpers/redis.ts";
import { JobClient } from "../../src/client.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { withServer } from "./_server.ts";

interface Damaged {
  storage: Storage;
  /** Overwrite the stored `args` of job `id` with text that is not JSON. */
  damageArgs(id: string): Promise<void>;
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
      cleanup: h.cleanup,
    };
  }],
  ["sqlite", async () => {
    const dir = await Deno.makeTempDir({ prefix: "qml_unreadable_" });
    const path = `${dir}/jobs.db`;
    const storage = await SqliteStorage.open({ path });
    return {
      storage,
      damageArgs: (id) => {
        const db = new DatabaseSync(path);
        try {
          db.prepare("UPDATE jobs SET args = '{not json' WHERE id = ?").run(id);
        } finally {
          db.close();
        }
        return Promise.resolve();
      },
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

// Five no-op jobs, enqueued before any server runs; their ids.
async function enqueueFive(storage: Storage): Promise<string[]> {
  const jobs = await new JobClient(storage).enqueueMany(
    Array.from({ length: 5 }, (_, i) => ({ worker: "noop", args: { i } })),
  );
  return jobs.map((j) => j.id);
}
