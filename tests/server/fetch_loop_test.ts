/** The fetch loop on its own: capacity accounting with fetches in flight. */
import assert from "node:assert/strict";
import { FetchLoop } from "../../src/server/fetch_loop.ts";
import { consoleLogger } from "../../src/logger.ts";

const logger = consoleLogger("silent");

/** A fake server: `concurrency` slots, a backlog, fetches that resolve when told to. */
function rig(concurrency: number, batchSize: number, backlog: number) {
  let running = 0, peak = 0, left = backlog, idle = 0;
  const calls: number[] = [];
  const inFlight: (() => void)[] = [];
  const loop = new FetchLoop({
    batchSize,
    pollIntervalMs: 1_000,
    logger,
    capacity: () => concurrency - running,
    idle: () => idle++,
    fetch: (limit) => {
      calls.push(limit);
      return new Promise<number>((resolve) => {
        inFlight.push(() => {
          const got = Math.min(limit, left);
          left -= got;
          running += got;
          peak = Math.max(peak, running);
          resolve(got);
        });
      });
    },
  });
  const tick = () => new Promise((r) => setTimeout(r, 0));
  return {
    loop,
    calls,
    inFlight,
    tick,
    get running() {
      return running;
    },
    get peak() {
      return peak;
    },
    get idle() {
      return idle;
    },
    finish(n: number) {
      running -= n;
      loop.capacityFreed();
    },
  };
}

Deno.test("a second fetch goes out while one is in flight when concurrency exceeds the batch", async () => {
  const r = rig(40, 20, 1_000);
  r.loop.start();
  await r.tick();
  assert.deepEqual(r.calls, [20], "one fetch until the queues are known to hold more");
  r.inFlight.shift()!();
  await r.tick();
  // The first came back full: the next two go out together, 20 + 20 = the free slots.
  assert.deepEqual(r.calls, [20, 20]);
  r.finish(20);
  await r.tick();
  assert.deepEqual(r.calls, [20, 20, 20]);
  assert.equal(r.inFlight.length, 2, "never more than two in flight");
  while (r.inFlight.length) r.inFlight.shift()!();
  await r.tick();
  assert.ok(r.peak <= 40, `never more jobs than slots (peak ${r.peak})`);
  r.finish(r.running);
  const stopped = r.loop.stop();
  while (r.inFlight.length) r.inFlight.shift()!();
  await stopped;
});

Deno.test("fetches in flight never ask for more than the free slots, and stop waits for them", async () => {
  const r = rig(30, 20, 1_000);
  r.loop.start();
  await r.tick();
  r.inFlight.shift()!();
  await r.tick();
  // 20 running, 10 free: one fetch of 10, nothing else until slots free up.
  assert.deepEqual(r.calls, [20, 10]);
  r.finish(5);
  await r.tick();
  assert.deepEqual(r.calls, [20, 10, 5]);
  let done = false;
  const stopped = r.loop.stop().then(() => done = true);
  await r.tick();
  assert.equal(done, false, "stop waits for the fetches in flight");
  while (r.inFlight.length) r.inFlight.shift()!();
  await stopped;
  assert.ok(r.peak <= 30, `never more jobs than slots (peak ${r.peak})`);
});

Deno.test("a short batch stops the pipelining until a signal", async () => {
  const r = rig(40, 20, 25);
  r.loop.start();
  await r.tick();
  r.inFlight.shift()!(); // 20 of 25
  await r.tick();
  assert.deepEqual(r.calls, [20, 20]);
  r.inFlight.shift()!(); // 5: short, drained
  await r.tick();
  r.finish(r.running);
  await r.tick();
  assert.deepEqual(r.calls, [20, 20], "no fetch after a short batch without a signal");
  r.loop.signal();
  await r.tick();
  assert.deepEqual(r.calls, [20, 20, 20]);
  const stopped = r.loop.stop();
  while (r.inFlight.length) r.inFlight.shift()!();
  await stopped;
});

Deno.test("busy while a fetch is in flight or about to go; idle is told only with nothing in flight", async () => {
  const r = rig(10, 10, 15);
  assert.equal(r.loop.busy, false, "a stopped loop is not busy");
  r.loop.start();
  await r.tick();
  assert.deepEqual(r.calls, [10]);
  assert.equal(r.loop.busy, true, "a fetch is in flight");
  assert.equal(r.idle, 0, "parked on full capacity with a fetch out: not idle");
  r.inFlight.shift()!(); // 10 of 15, every slot taken
  await r.tick();
  assert.equal(r.loop.busy, false);
  assert.equal(r.idle, 1, "parked with nothing in flight: idle");
  r.finish(10);
  assert.equal(r.loop.busy, true, "woken to fetch: busy before the fetch goes out");
  await r.tick();
  assert.deepEqual(r.calls, [10, 10]);
  r.inFlight.shift()!(); // the last 5: short
  await r.tick();
  assert.equal(r.idle, 2);
  assert.equal(r.loop.busy, false);
  await r.loop.stop();
  assert.equal(r.loop.busy, false);
});

Deno.test("a failed fetch backs off idle: idle is told while it waits", async () => {
  let idle = 0, calls = 0;
  const loop = new FetchLoop({
    batchSize: 10,
    pollIntervalMs: 60_000,
    logger,
    capacity: () => 10,
    idle: () => idle++,
    fetch: () => {
      calls++;
      return Promise.reject(new Error("database away"));
    },
  });
  loop.start();
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(calls, 1);
  assert.equal(idle, 1, "told idle at the start of the back-off");
  assert.equal(loop.busy, false, "backing off is not busy");
  await loop.stop();
});

Deno.test("a loop whose every fetch completes in microtasks still lets timers and I/O run", async () => {
  // Fetches that always come back full, at once: without yields the loop would never give
  // the event loop a turn, and the heartbeat's and timeouts' timers would never fire.
  // A starved timer is caught, not waited for forever: after 200,000 fetches without it, the
  // fetches come back empty, the loop parks, and the event loop gets its turn back.
  let fetches = 0, timerFired = false, starved = false;
  const loop = new FetchLoop({
    batchSize: 10,
    pollIntervalMs: 1_000,
    logger,
    capacity: () => 10,
    fetch: (limit) => {
      fetches++;
      if (!timerFired && fetches > 200_000) starved = true;
      return Promise.resolve(starved ? 0 : limit);
    },
    yieldEveryMs: 2,
  });
  const fired = new Promise<number>((resolve) =>
    setTimeout(() => {
      timerFired = true;
      resolve(fetches);
    }, 5)
  );
  loop.start();
  try {
    const atFire = await fired;
    assert.equal(starved, false, "the timer waited for 200,000 fetches");
    assert.ok(atFire > 0, "the loop was running when the timer fired");
  } finally {
    await loop.stop();
  }
});
