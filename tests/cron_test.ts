/** Cron parsing on its own: validation and the ticks in a window. */
import assert from "node:assert/strict";
import { ValidationError } from "../src/errors.ts";
import { ticksBetween, validateCron } from "../src/cron.ts";

const iso = (d: Date[]) => d.map((x) => x.toISOString());

Deno.test("5 fields are minute-first, 6 fields second-first; the window is (after, until]", async () => {
  const after = new Date("2026-01-01T00:00:00Z");
  assert.deepEqual(
    iso(await ticksBetween("*/15 * * * *", null, after, new Date("2026-01-01T00:45:00Z"), 10)),
    ["2026-01-01T00:15:00.000Z", "2026-01-01T00:30:00.000Z", "2026-01-01T00:45:00.000Z"],
  );
  assert.deepEqual(
    iso(await ticksBetween("*/20 * * * * *", null, after, new Date("2026-01-01T00:01:00Z"), 10)),
    ["2026-01-01T00:00:20.000Z", "2026-01-01T00:00:40.000Z", "2026-01-01T00:01:00.000Z"],
  );
});

Deno.test("more ticks than max keep the most recent ones", async () => {
  const ticks = await ticksBetween(
    "* * * * *",
    null,
    new Date("2026-01-01T00:00:00Z"),
    new Date("2026-01-01T01:00:00Z"),
    2,
  );
  assert.deepEqual(iso(ticks), ["2026-01-01T00:59:00.000Z", "2026-01-01T01:00:00.000Z"]);
});

Deno.test("a timezone moves the tick: 09:00 in Paris in winter is 08:00 UTC", async () => {
  const ticks = await ticksBetween(
    "0 9 * * *",
    "Europe/Paris",
    new Date("2026-01-10T00:00:00Z"),
    new Date("2026-01-11T00:00:00Z"),
    5,
  );
  assert.deepEqual(iso(ticks), ["2026-01-10T08:00:00.000Z"]);
});

Deno.test("bad patterns and timezones are ValidationErrors saying what is wrong", async () => {
  await validateCron("0 9 * * 1-5", "America/New_York");
  await validateCron("*/5 * * * * *");
  await validateCron("@daily");
  const bad: [string, string | undefined, RegExp][] = [
    ["", undefined, /non-empty/],
    ["* * *", undefined, /has 3 fields; expected 5/],
    ["61 * * * *", undefined, /invalid cron pattern/],
    ["0 0 30 2 *", undefined, /invalid cron pattern/],
    ["* * * * *", "Mars/Base", /unknown timezone "Mars\/Base"/],
  ];
  for (const [pattern, tz, re] of bad) {
    await assert.rejects(validateCron(pattern, tz), (e: unknown) => {
      assert.ok(e instanceof ValidationError, `${pattern}: ${e}`);
      assert.match((e as Error).message, re);
      return true;
    });
  }
});
