/** The storage clock: measured offset, round-trip compensation, lazy producers. */
import assert from "node:assert/strict";
import { JobClient } from "../src/client.ts";
import { MemoryStorage } from "../src/storage/memory/memory_storage.ts";
import type { Storage } from "../src/storage/storage.ts";
import { StorageClock, storageClockOf } from "../src/storage_clock.ts";

/** A storage whose clock is `offsetMs` ahead of ours, answering after `delays` (ms, in turn). */
function skewedTime(offsetMs: number, delays: number[] = [0]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    async time(): Promise<Date> {
      const delay = delays[calls++ % delays.length];
      // The storage reads its clock halfway through the round trip.
      await new Promise((r) => setTimeout(r, delay / 2));
      const at = new Date(Date.now() + offsetMs);
      await new Promise((r) => setTimeout(r, delay / 2));
      return at;
    },
  };
}

Deno.test("StorageClock tells the storage's time, not the process's", async () => {
  const storage = skewedTime(-120_000);
  const clock = new StorageClock(storage);
  assert.equal(clock.synced, false);
  assert.ok(Math.abs(clock.now().getTime() - Date.now()) < 50, "process clock before a sync");
  await clock.sync();
  assert.equal(storage.calls, 3);
  assert.ok(Math.abs(clock.offsetMs! + 120_000) < 50, `offset ${clock.offsetMs}`);
  assert.ok(Math.abs(clock.now().getTime() - (Date.now() - 120_000)) < 50);
});

Deno.test("StorageClock keeps the sample with the lowest round trip", async () => {
  // A slow asymmetric sample would be off by up to half its round trip (200 ms).
  const storage = {
    calls: 0,
    async time(): Promise<Date> {
      const slow = this.calls++ !== 1;
      const at = new Date(Date.now() + 10_000);
      if (slow) await new Promise((r) => setTimeout(r, 400));
      return at;
    },
  };
  const clock = new StorageClock(storage);
  await clock.sync();
  assert.ok(Math.abs(clock.offsetMs! - 10_000) < 30, `offset ${clock.offsetMs}`);
});

Deno.test("StorageClock on an agreeing clock returns the wall clock itself", async () => {
  const clock = new StorageClock(new MemoryStorage());
  await clock.sync();
  for (let i = 0; i < 100; i++) {
    const before = Date.now();
    const t = clock.now().getTime();
    assert.ok(t >= before && t <= Date.now());
  }
});

Deno.test("StorageClock.sync rejects on a storage error and keeps the last measurement", async () => {
  let fail = false;
  const clock = new StorageClock({
    time: () =>
      fail ? Promise.reject(new Error("down")) : Promise.resolve(new Date(Date.now() + 5_000)),
  });
  await clock.sync();
  fail = true;
  await assert.rejects(clock.sync(), /down/);
  assert.ok(Math.abs(clock.offsetMs! - 5_000) < 30);
});

Deno.test("storageClockOf shares one clock per storage", () => {
  const a = new MemoryStorage();
  assert.equal(storageClockOf(a), storageClockOf(a));
  assert.notEqual(storageClockOf(a), storageClockOf(new MemoryStorage()));
});

Deno.test("a client in a skewed process times delays by the storage's clock, measuring once", async () => {
  const memory = new MemoryStorage();
  const clock = skewedTime(60_000);
  // The storage's clock is a minute ahead of this process's.
  const storage = new Proxy(memory, {
    get(target, key) {
      if (key === "time") return () => clock.time();
      const v = Reflect.get(target, key, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  }) as Storage;
  const client = new JobClient(storage);
  const job = await client.enqueue("later", null, { delayMs: 5_000 });
  const storageNow = Date.now() + 60_000;
  assert.ok(Math.abs(job.createdAt.getTime() - storageNow) < 100, "createdAt by the storage");
  assert.ok(Math.abs(job.runAt.getTime() - (storageNow + 5_000)) < 100, "runAt by the storage");
  const calls = clock.calls;
  for (let i = 0; i < 5; i++) await client.enqueue("later", null, { delayMs: 5_000 });
  await client.enqueueMany([{ worker: "x" }, { worker: "y" }]);
  assert.equal(clock.calls, calls, "no round trip per enqueue once measured");
});

Deno.test("StorageClock keeps a fast older measurement over a slow new one", async () => {
  let slow = false;
  const clock = new StorageClock({
    async time(): Promise<Date> {
      const at = new Date(Date.now() + 10_000);
      // Asymmetric: a slow answer, read at the start of its round trip.
      if (slow) await new Promise((r) => setTimeout(r, 300));
      return at;
    },
  });
  await clock.sync();
  slow = true;
  await clock.sync();
  assert.ok(Math.abs(clock.offsetMs! - 10_000) < 30, `offset ${clock.offsetMs}`);
});
