/** The typed event bus. */
import assert from "node:assert/strict";
import { EventBus, type QmlEvent } from "../../src/events.ts";

const ev = { id: "1", method: "m", queue: "q", at: new Date(0), progress: 5 };

Deno.test("on / off / once / onAny / wants", () => {
  const bus = new EventBus();
  assert.equal(bus.wants("job.progress"), false);
  const got: number[] = [];
  const off = bus.on("job.progress", (e) => got.push(e.progress));
  bus.once("job.progress", (e) => got.push(-e.progress));
  assert.equal(bus.wants("job.progress"), true);
  assert.equal(bus.wants("job.started"), false);
  bus.emit("job.progress", ev);
  bus.emit("job.progress", ev);
  off();
  bus.emit("job.progress", ev);
  assert.deepEqual(got, [5, -5, 5]);
  assert.equal(bus.wants("job.progress"), false);
  const all: QmlEvent[] = [];
  const offAny = bus.onAny((e) => all.push(e));
  assert.equal(bus.wants("job.started"), true);
  bus.emit("job.progress", ev);
  assert.equal(all[0].type, "job.progress");
  offAny();
});

Deno.test("a throwing listener is reported and does not stop the others", () => {
  const errors: string[] = [];
  const bus = new EventBus((err, type) => errors.push(`${type}: ${(err as Error).message}`));
  let reached = false;
  bus.on("job.progress", () => {
    throw new Error("bad listener");
  });
  bus.on("job.progress", () => reached = true);
  bus.emit("job.progress", ev);
  assert.ok(reached);
  assert.deepEqual(errors, ["job.progress: bad listener"]);
});
