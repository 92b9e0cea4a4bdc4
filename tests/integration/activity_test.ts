/**
 * Activity travels through the storage: a batch recorded by another process reaches this
 * process's subscriber whole and in order, and its metrics are readable here.
 */
import assert from "node:assert/strict";
import type { JobChange } from "../../src/activity.ts";
import { JobState } from "../../src/job_state.ts";
import type { StorageSignal } from "../../src/storage/storage.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { DURABLE_KINDS, sharedBackend } from "../_helpers/shared_backends.ts";

for (const kind of DURABLE_KINDS) {
  Deno.test(`[${kind}] activity recorded by another process reaches subscribers here`, async () => {
    const backend = sharedBackend(kind);
    try {
      const storage = await backend.open();
      const heard: JobChange[] = [];
      let probed = false;
      const off = storage.subscribe((s: StorageSignal) => {
        if (s.kind !== "activity") return;
        if (s.changes.some((c) => c.id === "probe")) probed = true;
        // Late probes may still arrive: keep the child's changes only.
        heard.push(...s.changes.filter((c) => c.id !== "probe"));
      });
      // The subscription goes live asynchronously: make sure it is before the child writes.
      await waitUntil(async () => {
        await storage.recordActivity({
          metrics: [],
          changes: [{
            type: "enqueued",
            id: "probe",
            queue: "q",
            method: "m",
            state: JobState.Enqueued,
            at: new Date(),
          }],
        });
        return probed;
      }, { intervalMs: 50, what: "the probe" });
      const child = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tests/fixtures/activity_writer.ts"],
        env: backend.env,
        stdout: "null",
        stderr: "inherit",
      }).output();
      assert.equal(child.code, 0);
      await waitUntil(() => heard.length >= 300, { what: "300 changes from the child" });
      off();
      assert.deepEqual(
        heard.map((c) => c.id),
        Array.from({ length: 300 }, (_, i) => `job-${String(i).padStart(4, "0")}`),
      );
      assert.ok(heard.every((c) => c.at instanceof Date && c.state === JobState.Succeeded));
      const [bucket] = await storage.queryMetrics({
        from: new Date("2026-01-01T00:00:00Z"),
        to: new Date("2026-01-01T00:01:00Z"),
        resolution: "minute",
        queue: "mail",
      });
      assert.equal(bucket.succeeded, 300);
      assert.equal(bucket.runMs.reduce((a, b) => a + b, 0), 300);
    } finally {
      await backend.cleanup();
    }
  });
}
