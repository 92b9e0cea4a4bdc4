/**
 * Basic jobs: create, serialise, enqueue and inspect, on the embedded memory storage.
 *
 * Run: deno run examples/basic_job.ts
 */
import { defineWorker, JobClient, JobState, MemoryStorage, WorkerRegistry } from "../mod.ts";

const sendEmail = defineWorker({
  name: "send_email",
  retry: { maxAttempts: 3, backoff: "exponential", baseMs: 500 },
  execute(args: { to: string; subject: string }) {
    return { messageId: `m-${args.to}` };
  },
});
const registry = new WorkerRegistry().register(sendEmail);

const storage = new MemoryStorage();
const client = new JobClient(storage, { registry });

// Typed enqueue: the arguments are checked against the worker's type.
const job = await client.enqueue(sendEmail, { to: "ada@example.com", subject: "hello" });
console.log(`enqueued ${job.method} ${job.id} in "${job.queue}" → ${job.state}`);

// Jobs are plain JSON-friendly records: they serialise and parse back unchanged.
const wire = JSON.stringify(job);
console.log(`serialised: ${wire.length} bytes, args ${JSON.stringify(JSON.parse(wire).args)}`);

// Delayed, prioritised and unique jobs.
const later = await client.enqueue("send_email", { to: "bob@example.com", subject: "later" }, {
  delayMs: 60_000,
  priority: 5,
  uniqueKey: "email:bob",
});
const again = await client.enqueue("send_email", { to: "bob@example.com", subject: "later" }, {
  uniqueKey: "email:bob",
});
console.log(
  `scheduled ${later.id} → ${later.state}; same unique key returns it: ${again.id === later.id}`,
);

// Inspect: counts, filtered lists, one job with its history.
const counts = await client.counts();
console.log(`counts: Enqueued=${counts.byState.Enqueued} Scheduled=${counts.byState.Scheduled}`);
const page = await client.list({ limit: 10, state: JobState.Scheduled });
console.log(`scheduled jobs: ${page.jobs.map((j) => j.id).join(", ")}`);

// Soft delete keeps the history; requeue runs it again.
await client.delete(later.id, "changed my mind");
await client.requeue(later.id);
const inspected = await client.get(later.id);
console.log(`history of ${later.id}:`);
for (const h of inspected!.history) console.log(`  ${h.at.toISOString()} ${h.state} (${h.reason})`);
await storage.close();
