/** Lenient decoding of stored jobs: a field that does not parse marks its job, not the read. */
import assert from "node:assert/strict";
import { decodeStored, type FieldParser } from "../../src/storage/stored_fields.ts";
import type { Job } from "../../src/job.ts";

const decode = ([args, history]: [string, string], parse: FieldParser) =>
  ({
    id: "j1",
    args: parse(args, "args"),
    history: (parse(history, "history") as unknown[] | null) ?? [],
  }) as unknown as Job;

Deno.test("a record that parses decodes as it is, with no unreadable mark", () => {
  const job = decodeStored(['{"a":1}', "[]"], decode);
  assert.deepEqual(job.args, { a: 1 });
  assert.equal("unreadable" in job, false);
});

Deno.test("fields that do not parse read as null and are named in unreadable", () => {
  const job = decodeStored(["{not json", "[oops"], decode);
  assert.equal(job.args, null);
  assert.deepEqual(job.history, []);
  assert.match(job.unreadable!, /^args: .+; history: .+/);
});

Deno.test("a failure that is not a field's parse is thrown as it was", () => {
  assert.throws(
    () =>
      decodeStored(null, () => {
        throw new RangeError("not a field");
      }),
    RangeError,
  );
});
