/**
 * Edge values in args and results, and edge strings in errors and history entries: NUL
 * characters, lone surrogates, very long strings and deep nesting round-trip unchanged on
 * every backend (Postgres's jsonb could hold neither of the first two; its args, results,
 * errors and history are stored as `json` text for that).
 */
import assert from "node:assert/strict";
import type { JobError } from "../../../src/job_error.ts";
import { JobState } from "../../../src/job_state.ts";
import { decide } from "../../../src/transitions.ts";
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
  errorPayloadCases(ctx);

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

/** The string values of {@link EDGE_VALUES}: what error messages, stacks and reasons can hold. */
export const EDGE_STRINGS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EDGE_VALUES).filter((e): e is [string, string] => typeof e[1] === "string"),
);

/** A stored error made of `s` in every field, as a handler throwing it would leave it. */
export function edgeError(s: string): JobError {
  return {
    name: `E${s}`,
    message: `bad ${s} byte`,
    stack: `Error: ${s}\n    at job (${s}:1:1)`,
    code: s,
  };
}

// The same edge strings where a job's failures are recorded: error fields and history entries.
function errorPayloadCases(ctx: ConformanceContext): void {
  const area = "payloads";

  conformanceCase(
    ctx,
    area,
    "edge strings in errors and history round-trip through failed and retried jobs, one batch",
    async (s) => {
      const names = Object.keys(EDGE_STRINGS);
      // Per name: one job failing for good, one retried (AwaitingRetry), written together.
      const jobs = names.flatMap(() => [job({ maxAttempts: 1 }), job({ maxAttempts: 3 })]);
      await put(s, ...jobs);
      const running = await take(s, { limit: jobs.length });
      assert.equal(running.length, jobs.length);
      const now = at(1_000);
      const errorOf = new Map(
        jobs.map((j, k) => [j.id, edgeError(EDGE_STRINGS[names[k >> 1]])] as const),
      );
      const items = running.map((r) => ({
        id: r.id,
        guard: { state: r.state, lockedBy: r.lockedBy ?? undefined },
        next: decide(r, { type: "failed", error: errorOf.get(r.id)! }, {
          now,
          server: "s1",
          random: () => 0,
        }),
      }));
      assert.deepEqual(await s.transition({ items, now }), items.map(() => true));
      for (const [k, j] of jobs.entries()) {
        const done = await must(s, j.id);
        const name = names[k >> 1];
        assert.equal(done.state, k % 2 ? JobState.AwaitingRetry : JobState.Failed, name);
        assert.deepEqual(done.error, errorOf.get(j.id), `error ${name}`);
        assert.deepEqual(done.history.at(-1)?.error, errorOf.get(j.id), `history ${name}`);
      }
      // The retried ones come back through promotion and fetch with their errors intact.
      await s.promoteDue({ now: at(3_600_000), limit: 100 });
      const again = await take(s, { limit: jobs.length, now: at(3_600_000) });
      assert.equal(again.length, names.length);
      for (const r of again) {
        assert.deepEqual(r.error, errorOf.get(r.id));
        assert.deepEqual(r.history.find((e) => e.error)?.error, errorOf.get(r.id));
      }
    },
  );

  conformanceCase(ctx, area, "edge strings in history reasons round-trip", async (s) => {
    const names = Object.keys(EDGE_STRINGS);
    const jobs = names.map(() => job());
    await put(s, ...jobs);
    const now = at(1_000);
    for (const [k, j] of jobs.entries()) {
      const reason = EDGE_STRINGS[names[k]];
      assert.ok(await finish(s, j, { type: "deleted", reason }, { now }), names[k]);
    }
    for (const [k, j] of jobs.entries()) {
      const done = await must(s, j.id);
      assert.equal(done.state, JobState.Deleted);
      assert.equal(done.history.at(-1)?.reason, EDGE_STRINGS[names[k]], names[k]);
    }
  });
}
