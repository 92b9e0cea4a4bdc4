/** Transactional enqueue: a job exists if and only if the caller's transaction commits. */
import assert from "node:assert/strict";
import { ConfigError } from "../../src/errors.ts";
import { createJob } from "../../src/job.ts";
import { openTestStorage } from "../_helpers/postgres.ts";

const now = new Date("2026-01-01T00:00:00.000Z");

Deno.test("tx enqueue: committed with the caller's transaction", async () => {
  const h = await openTestStorage();
  try {
    const s = h.storage;
    await s.sql.unsafe(`create table "${h.schema}".orders (id int primary key)`);
    const job = createJob({ method: "ship_order", args: { order: 1 }, now, uniqueKey: "order:1" });
    await s.sql.begin(async (tx) => {
      await tx.unsafe(`insert into "${h.schema}".orders values (1)`);
      const [res] = await s.enqueue({ jobs: [job], now, tx });
      assert.equal(res.created, true);
      // Inside the transaction a second enqueue of the key sees the first.
      const [dup] = await s.enqueue({
        jobs: [createJob({ method: "ship_order", args: {}, now, uniqueKey: "order:1" })],
        now,
        tx,
      });
      assert.equal(dup.created, false);
      assert.equal(dup.job.id, job.id);
      // Not visible outside before commit.
      assert.equal(await s.get({ id: job.id }), null);
    });
    assert.equal((await s.get({ id: job.id }))?.state, "Enqueued");
  } finally {
    await h.cleanup();
  }
});

Deno.test("tx enqueue: rolled back with the caller's transaction", async () => {
  const h = await openTestStorage();
  try {
    const s = h.storage;
    const job = createJob({ method: "ship_order", args: { order: 2 }, now });
    await assert.rejects(
      () =>
        s.sql.begin(async (tx) => {
          await s.enqueue({ jobs: [job], now, tx });
          throw new Error("payment declined");
        }),
      /payment declined/,
    );
    assert.equal(await s.get({ id: job.id }), null);
    assert.equal((await s.counts()).byState.Enqueued, 0);
  } finally {
    await h.cleanup();
  }
});

Deno.test("tx enqueue: ready is signalled on commit only", async () => {
  const h = await openTestStorage();
  try {
    const s = h.storage;
    const seen: string[] = [];
    s.subscribe((sig) => sig.kind === "ready" && seen.push(sig.queue));
    await s.listening();
    await assert.rejects(() =>
      s.sql.begin(async (tx) => {
        await s.enqueue({
          jobs: [createJob({ method: "m", args: 1, now, queue: "lost" })],
          now,
          tx,
        });
        throw new Error("rollback");
      })
    );
    await s.sql.begin(async (tx) => {
      await s.enqueue({ jobs: [createJob({ method: "m", args: 1, now, queue: "kept" })], now, tx });
    });
    const deadline = Date.now() + 5_000;
    while (!seen.includes("kept") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    // NOTIFYs are delivered in commit order: "lost" would have arrived before "kept".
    assert.deepEqual(seen, ["kept"]);
  } finally {
    await h.cleanup();
  }
});

Deno.test("tx enqueue: something that is not a postgres.js transaction is a ConfigError", async () => {
  const h = await openTestStorage();
  try {
    await assert.rejects(
      () => h.storage.enqueue({ jobs: [createJob({ method: "m", args: 1, now })], now, tx: {} }),
      ConfigError,
    );
  } finally {
    await h.cleanup();
  }
});
