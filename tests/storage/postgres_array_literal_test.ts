/**
 * Array parameters travel as array literals built by `arrayLiteral` (array_literal.ts), not
 * by the driver: every value must come back from Postgres exactly as sent, whatever quotes,
 * backslashes, separators, control characters or JSON it holds. Values are read back as
 * JSON (postgres.js reads a NULL element of an array as the text "NULL").
 */
import assert from "node:assert/strict";
import { arrayLiteral } from "../../src/storage/postgres/array_literal.ts";
import { runQuery } from "../../src/storage/postgres/run.ts";
import { withAdmin } from "../_helpers/postgres.ts";

const TRICKY: (string | null)[] = [
  "plain",
  "",
  "NULL",
  null,
  'say "hi"',
  "back\\slash",
  '\\"',
  "a,b",
  "{braces}",
  "  spaced  ",
  "line\nbreak\ttab",
  "\u0001\u001f",
  "émoji 😀 and 漢字",
  JSON.stringify({ t: "succeeded", i: "01J", q: "default", nested: { s: 'x"y\\z' } }),
  JSON.stringify(["\n", "\u0007", '"']),
];

Deno.test("text[] array literals round-trip every value", async () => {
  await withAdmin(async (sql) => {
    const rows = await runQuery(sql, "test", "SELECT array_to_json($1::text[])::text AS a", [
      TRICKY,
    ]);
    assert.deepEqual(JSON.parse(rows[0].a), TRICKY);
  });
});

Deno.test("integer[] and timestamptz[] literals, and empty arrays", async () => {
  await withAdmin(async (sql) => {
    const at = ["2026-01-01T00:00:00.123Z", null, "2026-06-30T23:59:59.999Z"];
    const rows = await runQuery(
      sql,
      "test",
      "SELECT array_to_json($1::integer[])::text AS n, array_to_json(ARRAY(" +
        "SELECT to_char(x AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') " +
        "FROM unnest($2::timestamptz[]) AS x))::text AS t, $3::text[] AS e",
      [[1, -2, null, 2_147_483_647], at, []],
    );
    assert.deepEqual(JSON.parse(rows[0].n), [1, -2, null, 2_147_483_647]);
    assert.deepEqual(JSON.parse(rows[0].t), at);
    assert.deepEqual(rows[0].e, []);
  });
});

Deno.test("arrays of other values are left to the driver", () => {
  assert.equal(arrayLiteral([{ a: 1 }]), undefined);
  assert.equal(arrayLiteral([true]), undefined);
  assert.equal(arrayLiteral([Number.NaN]), undefined);
  assert.equal(arrayLiteral([undefined]), undefined);
  assert.equal(arrayLiteral(["a", 'b"', null, 3]), '{"a","b\\"",NULL,"3"}');
});
