/** Slots on their own: run slots, the write-back of unwritten results, and wake-ups. */
import assert from "node:assert/strict";
import { Slots } from "../../src/server/slots.ts";

const state = (s: Slots) => ({ running: s.running, writing: s.writing, free: s.free });

Deno.test("a finished job's result moves to the write-back, so the next fetch need not wait for its write", () => {
  const s = new Slots(10);
  s.take(10);
  assert.deepEqual(state(s), { running: 10, writing: 0, free: 0 });
  s.settled(10);
  // Run slots free while the first results are written: a second batch may be fetched.
  assert.deepEqual(state(s), { running: 0, writing: 10, free: 10 });
  s.take(10);
  assert.deepEqual(state(s), { running: 10, writing: 10, free: 0 });
  s.written(10);
  assert.deepEqual(state(s), { running: 10, writing: 0, free: 0 });
});

Deno.test("once the write-back is full, finished jobs keep their run slots until a write returns", () => {
  const s = new Slots(10);
  s.take(10);
  s.settled(10);
  s.take(10);
  s.settled(4);
  // 6 running + 14 unwritten = 20 = concurrency + write-back: nothing more may be fetched.
  assert.deepEqual(state(s), { running: 6, writing: 14, free: 0 });
  s.settled(6);
  assert.deepEqual(state(s), { running: 0, writing: 20, free: 0 });
  s.written(10);
  assert.deepEqual(state(s), { running: 0, writing: 10, free: 10 });
  s.written(10);
  assert.deepEqual(state(s), { running: 0, writing: 0, free: 10 });
  assert.equal(s.used, 0);
});

Deno.test("the held total never passes concurrency + write-back, and running never passes concurrency", () => {
  const s = new Slots(4, 2);
  let maxHeld = 0, maxRunning = 0;
  // A fetch takes what is free, every job finishes, one write of up to 3 returns per round.
  for (let round = 0; round < 50; round++) {
    const got = s.free;
    s.take(got);
    maxRunning = Math.max(maxRunning, s.running);
    maxHeld = Math.max(maxHeld, s.used);
    s.settled(s.running);
    maxHeld = Math.max(maxHeld, s.used);
    s.written(Math.min(3, s.writing));
  }
  assert.equal(maxRunning, 4);
  assert.equal(maxHeld, 6);
});

Deno.test("dropped jobs free their run slots; wake-ups come once per turn", async () => {
  const s = new Slots(5);
  let wakes = 0;
  s.onFreed(() => wakes++);
  s.take(5);
  for (let i = 0; i < 3; i++) s.settled(1);
  s.dropped(2);
  assert.deepEqual(state(s), { running: 0, writing: 3, free: 5 });
  assert.equal(wakes, 0);
  await Promise.resolve();
  assert.equal(wakes, 1);
  s.written(3);
  await Promise.resolve();
  assert.equal(wakes, 2);
  assert.equal(s.used, 0);
});
