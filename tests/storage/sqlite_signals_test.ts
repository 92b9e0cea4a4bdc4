/**
 * SqliteStorage's signals between processes on one file: ready signals (by the poll and by
 * the WAL watch) and activity messages.
 */
import assert from "node:assert/strict";
import { JobState } from "../../src/job_state.ts";
import type { StorageSignal } from "../../src/storage/storage.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { CHILD, inTempDir } from "../_helpers/sqlite_files.ts";

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
