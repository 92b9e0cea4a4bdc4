import assert from "node:assert/strict";
import {
  defineWorker,
  JobClient,
  MemoryStorage,
  type StandardSchemaV1,
  ValidationError,
} from "../mod.ts";

const sendEmail = defineWorker({
  name: "send_email",
  execute(args: { to: string; subject: string }) {
    return { sent: args.to };
  },
});

// A hand-written Standard Schema, as zod/valibot would provide.
const positive: StandardSchemaV1<{ n: number }, { n: number }> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate: (v) =>
      typeof (v as { n?: unknown })?.n === "number" && (v as { n: number }).n > 0
        ? { value: v as { n: number } }
        : { issues: [{ message: "must be a positive number", path: ["n"] }] },
  },
};
const square = defineWorker({ name: "square", args: positive, execute: (a) => a.n * a.n });

Deno.test("typed enqueue accepts matching args and rejects others at compile time", async () => {
  const client = new JobClient(new MemoryStorage());
  const job = await client.enqueue(sendEmail, { to: "a@b.c", subject: "hi" });
  assert.equal(job.method, "send_email");
  // @ts-expect-error — `subject` is missing
  await client.enqueue(sendEmail, { to: "a@b.c" });
  // @ts-expect-error — `to` must be a string
  await client.enqueue(sendEmail, { to: 1, subject: "x" });
  // @ts-expect-error — schema input is { n: number }
  await client.enqueue(square, { n: "2" }).catch(() => {});
});

Deno.test("typed enqueue validates with the worker's schema before storing", async () => {
  const storage = new MemoryStorage();
  const client = new JobClient(storage);
  await assert.rejects(() => client.enqueue(square, { n: -1 }), (e: unknown) => {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(e.issues, ["n: must be a positive number"]);
    return true;
  });
  assert.equal((await storage.counts()).byState.Enqueued, 0);
  assert.equal((await client.enqueue(square, { n: 3 })).state, "Enqueued");
});

Deno.test("arguments that are not JSON are rejected with the path", async () => {
  const client = new JobClient(new MemoryStorage());
  await assert.rejects(
    () => client.enqueue("m", { when: 1n } as unknown),
    /args\.when is a bigint/,
  );
  await assert.rejects(() => client.enqueue("m", { f: () => 1 }), /args\.f is a function/);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await assert.rejects(() => client.enqueue("m", cyclic), /args\.self is a cycle/);
});

Deno.test("enqueueMany validates every item and stores none of a batch with a failure", async () => {
  const storage = new MemoryStorage();
  const client = new JobClient(storage);
  const count = async () => (await client.list({ limit: 100 })).jobs.length;
  // The first failure to be found is reported: a later item's option check comes before an
  // earlier item's (possibly async) validator has answered.
  await assert.rejects(
    () =>
      client.enqueueMany([
        { worker: square, args: { n: -1 } },
        { worker: "plain", args: {}, options: { priority: 1.5 } },
      ]),
    /priority/,
  );
  await assert.rejects(
    () =>
      client.enqueueMany([
        { worker: "plain", args: {}, options: { queue: "bad queue" } },
        { worker: square, args: { n: -1 } },
      ]),
    /queue/,
  );
  await assert.rejects(
    () =>
      client.enqueueMany([
        { worker: "plain", args: { i: 1 } },
        { worker: "plain", args: { f: () => 1 } },
        { worker: "", args: {} },
      ]),
    (e: unknown) => e instanceof ValidationError && /args\.f is a function/.test(e.message),
  );
  assert.equal(await count(), 0, "no job of a refused batch is stored");
  const jobs = await client.enqueueMany([
    { worker: square, args: { n: 2 } },
    { worker: "plain", args: { i: 1 }, options: { priority: 3, delayMs: 60_000 } },
    { worker: sendEmail, args: { to: "a@b.c", subject: "s" } },
  ]);
  assert.deepEqual(jobs.map((j) => [j.method, j.priority, j.state]), [
    ["square", 0, "Enqueued"],
    ["plain", 3, "Scheduled"],
    ["send_email", 0, "Enqueued"],
  ]);
  assert.equal(await count(), 3);
});
