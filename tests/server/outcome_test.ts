/** Outcome mapping on its own: each way a run ends, under each thing the server did to it. */
import assert from "node:assert/strict";
import { outcomeOf, RELEASE_SHUTDOWN, RunFlag } from "../../src/server/outcome.ts";
import type { RunResult } from "../../src/server/protocol.ts";

const ok: RunResult = { id: "j", kind: "ok", value: 7 };
const threw: RunResult = { id: "j", kind: "error", error: { name: "Error", message: "e" } };
const bad: RunResult = { ...threw, retryable: false };
const crashed: RunResult = { id: "j", kind: "crashed", message: "m" };
const terminated: RunResult = { id: "j", kind: "terminated" };
const ALL: RunResult[] = [ok, threw, crashed, terminated];
const NOT_OK: RunResult[] = [threw, crashed, terminated];

Deno.test("a run that ran its course: its result, its error (retryable unless said), a crash", () => {
  assert.deepEqual(outcomeOf(ok, RunFlag.Normal, 10), { type: "succeeded", result: 7 });
  assert.deepEqual(outcomeOf(threw, RunFlag.Normal, 10), {
    type: "failed",
    error: threw.kind === "error" ? threw.error : undefined,
    retryable: true,
  });
  assert.equal((outcomeOf(bad, RunFlag.Normal, 10) as { retryable: boolean }).retryable, false);
  const c = outcomeOf(crashed, RunFlag.Normal, 10) as { type: string; error: { name: string } };
  assert.equal(c.type, "failed");
  assert.equal(c.error.name, "WorkerCrashedError");
  assert.deepEqual(outcomeOf(terminated, RunFlag.Normal, 10), {
    type: "released",
    reason: "released: its worker thread was replaced",
  });
});

Deno.test("deleted or lost: every result is dropped", () => {
  for (const flag of [RunFlag.Cancelled, RunFlag.Lost]) {
    for (const r of ALL) {
      assert.equal(outcomeOf(r, flag, 10), null);
    }
  }
});

Deno.test("timed out: a late success still counts; anything else is a JobTimeoutError", () => {
  assert.deepEqual(outcomeOf(ok, RunFlag.TimedOut, 10), { type: "succeeded", result: 7 });
  for (const r of NOT_OK) {
    const o = outcomeOf(r, RunFlag.TimedOut, 250) as {
      type: string;
      error: { name: string; message: string };
    };
    assert.equal(o.type, "failed");
    assert.equal(o.error.name, "JobTimeoutError");
    assert.match(o.error.message, /250 ms/);
  }
});

Deno.test("shutdown: a success is kept, anything else is handed back without counting", () => {
  assert.deepEqual(outcomeOf(ok, RunFlag.Shutdown, 10), { type: "succeeded", result: 7 });
  for (const r of NOT_OK) {
    assert.deepEqual(outcomeOf(r, RunFlag.Shutdown, 10), {
      type: "released",
      reason: RELEASE_SHUTDOWN,
    });
  }
});
