/** A running server purges expired jobs and keeps the others, on every backend. */
import assert from "node:assert/strict";
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import { JobClient } from "../../src/client.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { defineWorker, WorkerRegistry } from "../../src/worker.ts";
import { waitUntil } from "../_helpers/poll.ts";
import { DURABLE_KINDS, sharedBackend } from "../_helpers/shared_backends.ts";

const ok = defineWorker({ name: "ok", execute: () => "done" });
const bad = defineWorker({
  name: "bad",
  retry: { maxAttempts: 1 },
  execute: () => {
    throw new Error("always fails");
  },
});
const registry = new WorkerRegistry().register(ok, bad);

async function retentionRun(storage: Storage): Promise<void> {
  const client = new JobClient(storage, { registry });
  const fine = await client.enqueueMany(Array.from({ length: 10 }, () => ({ worker: ok })));
  const failing = await client.enqueueMany(Array.from({ length: 2 }, () => ({ worker: bad })));
  const server = new BackgroundJobServer({
    storage,
    workers: registry,
    execution: "inline",
    pollIntervalMs: 50,
    succeededTtlMs: 300,
    failedTtlMs: 3_600_000,
    cleanupIntervalMs: 100,
    enableRecurring: false,
    logLevel: "silent",
  });
  await server.start();
  try {
    await waitUntil(async () => (await client.counts()).byState.Failed === 2, {
      what: "the failing jobs to fail",
    });
    await waitUntil(async () => (await client.get(fine.at(-1)!.id)) === null, {
      what: "succeeded jobs to be purged",
    });
  } finally {
    await server.stop();
  }
  for (const j of fine) assert.equal(await client.get(j.id), null, "expired: purged");
  for (const j of failing) {
    const kept = await client.get(j.id);
    assert.equal(kept?.state, "Failed", "not yet expired: kept");
    assert.ok(kept!.expiresAt!.getTime() > Date.now() + 3_000_000);
  }
}

Deno.test("[memory] the cleanup plugin purges expired jobs only", async () => {
  await retentionRun(new MemoryStorage());
});

for (const kind of DURABLE_KINDS) {
  Deno.test(`[${kind}] the cleanup plugin purges expired jobs only`, async () => {
    const backend = sharedBackend(kind);
    try {
      await retentionRun(await backend.open());
    } finally {
      await backend.cleanup();
    }
  });
}
