/**
 * Edge values in args and results: NUL characters, lone surrogates, very long strings and
 * deep nesting round-trip unchanged on every backend (Postgres's jsonb could hold neither
 * of the first two; its args and results are stored as `json` text for that).
 */
import assert from "node:assert/strict";
import { JobState } from "../../../src/job_state.ts";
import { conformanceCase, type ConformanceContext } from "./harness.ts";
import { at, finish, job, must, put, take } from "./fixtures.ts";

/** `depth` arrays nested in each other around `leaf`. */
function nested(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
  return v;
}

/** Values that JSON carries but some databases do not, each named for the message. */
export const EDGE_VALUES: Readonly<Record<string, unknown>> = {
  nul: "a\u0000b",
  nulKey: { "k\u0000": "\u0000" },
  loneHigh: "x\ud800y",
  loneLow: "\udc00",
  reversedPair: "\udc00\ud800",
  pair: "\ud83d\ude00",
  escapes: '"\\/\b\f\n\r\t\u001f\u2028\u2029',
  long: "é".repeat(300_000),
  deep: nested(200, "bottom\u0000"),
  numbers: [0, -0.5, 1e21, Number.MAX_SAFE_INTEGER],
};

export function payloadCases(ctx: ConformanceContext): void {
  const area = "payloads";

  conformanceCase(
    ctx,
    area,
    "edge values in args round-trip through enqueue and fetch",
    async (s) => {
      const jobs = Object.entries(EDGE_VALUES).map(([name, value]) =>
        job({ args: { name, value } })
      );
      await put(s, ...jobs);
      for (const j of jobs) {
        const stored = await must(s, j.id);
        assert.deepEqual(stored.args, j.args, `args ${(j.args as { name: string }).name}`);
      }
      const fetched = await take(s, { limit: jobs.length });
      assert.equal(fetched.length, jobs.length);
      for (const f of fetched) {
        const original = jobs.find((j) => j.id === f.id)!;
        assert.deepEqual(f.args, original.args, `fetched ${(f.args as { name: string }).name}`);
      }
    },
  );

  conformanceCase(ctx, area, "edge values in results round-trip, one batch", async (s) => {
    const names = Object.keys(EDGE_VALUES);
    await put(s, ...names.map(() => job()));
    const running = await take(s, { limit: names.length });
    const now = at(1_000);
    for (const [i, r] of running.entries()) {
      assert.ok(await finish(s, r, { type: "succeeded", result: EDGE_VALUES[names[i]] }, { now }));
    }
    for (const [i, r] of running.entries()) {
      const done = await must(s, r.id);
      assert.equal(done.state, JobState.Succeeded);
      assert.deepEqual(done.result, EDGE_VALUES[names[i]], `result ${names[i]}`);
    }
  });

  conformanceCase(
    ctx,
    area,
    "edge values in recurring args and cron jobs round-trip",
    async (s) => {
      const args = { nul: EDGE_VALUES.nul, lone: EDGE_VALUES.loneHigh };
      const t = await s.upsertRecurring({
        template: {
          name: "edge",
          cron: "* * * * *",
          timezone: null,
          method: "m",
          args,
          queue: "default",
          priority: 0,
          maxAttempts: null,
          missedTicks: "skip",
        },
        now: at(0),
      });
      assert.deepEqual(t.args, args);
      assert.deepEqual((await s.getRecurring({ name: "edge" }))?.args, args);
      const tickJob = job({ args, now: at(60_000) });
      const claimed = await s.claimCronTick({
        name: "edge",
        tickAt: at(60_000),
        job: tickJob,
        now: at(60_000),
      });
      assert.ok(claimed);
      assert.deepEqual((await must(s, tickJob.id)).args, args);
    },
  );
}
