/** The heartbeat on its own: extends held locks, reports only jobs it still holds as lost. */
import assert from "node:assert/strict";
import { Heartbeat } from "../../src/server/heartbeat.ts";
import { consoleLogger } from "../../src/logger.ts";
import type { Storage } from "../../src/storage/storage.ts";

Deno.test("a job whose result was written while the beat was out is not reported lost", async () => {
  let held = ["a", "b", "c"];
  const lostCalls: string[][] = [];
  const storage = {
    extendLocks: (p: { ids: readonly string[] }) => {
      assert.deepEqual(p.ids, ["a", "b", "c"]);
      // Meanwhile "a" was written (no longer Processing) and "c" was rescued by another server.
      held = ["b", "c"];
      return Promise.resolve(["a", "c"]);
    },
  } as unknown as Storage;
  const hb = new Heartbeat({
    storage,
    clock: { now: () => new Date(0) },
    logger: consoleLogger("silent"),
    serverName: "s1",
    lockTtlMs: 30_000,
    intervalMs: 1_000,
    held: () => held,
    onLost: (ids) => lostCalls.push(ids),
  });
  await hb.beat();
  assert.deepEqual(lostCalls, [["c"]]);
});
