/**
 * A job server on MemoryStorage running three kinds of jobs on Web Workers:
 * one that succeeds (with progress), one that fails twice and is retried, and
 * one scheduled for later. It prints what happens and stops by itself once
 * every job is final (or on Ctrl+C).
 *
 *     deno task start
 *
 * @module
 */
import { BackgroundJobServer } from "../src/server/job_server.ts";
import { MemoryStorage } from "../src/storage/memory/memory_storage.ts";
import { isFinalState } from "../src/job_state.ts";
import { chargeCard, resizeImage, sendReminder } from "./workers/demo_workers.ts";

const storage = new MemoryStorage();
const server = new BackgroundJobServer({
  storage,
  workers: new URL("./workers/demo_workers.ts", import.meta.url),
  concurrency: 8,
  threads: 2,
  pollIntervalMs: 100,
  logLevel: "warn",
});

const t0 = Date.now();
const at = () => `+${String(Date.now() - t0).padStart(5)} ms`;
const names = new Map<string, string>();
const label = (id: string) => names.get(id) ?? id.slice(-6);

server.events.on(
  "job.started",
  (e) => console.log(`${at()}  ${label(e.id)} started (attempt ${e.attempt})`),
);
server.events.on("job.progress", (e) => console.log(`${at()}  ${label(e.id)} ${e.progress}%`));
server.events.on(
  "job.retried",
  (e) =>
    console.log(
      `${at()}  ${label(e.id)} failed: ${e.error.message}; retry at ${e.runAt.toISOString()}`,
    ),
);
server.events.on(
  "job.succeeded",
  (e) => console.log(`${at()}  ${label(e.id)} succeeded → ${JSON.stringify(e.result)}`),
);
server.events.on(
  "job.failed",
  (e) => console.log(`${at()}  ${label(e.id)} FAILED: ${e.error.message}`),
);

const jobs = [
  await server.client.enqueue(resizeImage, { file: "cat.png", width: 640 }),
  await server.client.enqueue(chargeCard, { orderId: "A-1001", cents: 4_200 }),
  await server.client.enqueue(sendReminder, { to: "ada@example.com" }, { delayMs: 1_500 }),
];
names.set(jobs[0].id, "resize_image ");
names.set(jobs[1].id, "charge_card  ");
names.set(jobs[2].id, "send_reminder");
console.log(
  `enqueued 3 jobs (send_reminder is ${jobs[2].state} for ${jobs[2].runAt.toISOString()})`,
);

await server.start();
console.log(`server ${server.serverName} started (${server.config.threads} Web Workers)`);

const interrupted = Promise.withResolvers<void>();
const onSigint = () => interrupted.resolve();
Deno.addSignalListener("SIGINT", onSigint);

const allFinal = (async () => {
  while (true) {
    const states = await Promise.all(jobs.map(async (j) => (await server.client.get(j.id))!.state));
    if (states.every(isFinalState)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
})();
await Promise.race([allFinal, interrupted.promise]);
Deno.removeSignalListener("SIGINT", onSigint);

await server.stop();
console.log("\nfinal states:");
for (const j of jobs) {
  const job = (await server.client.get(j.id))!;
  console.log(
    `  ${label(j.id)}  ${job.state.padEnd(9)} attempts=${job.attempts}  ` +
      `history: ${job.history.map((h) => h.state).join(" → ")}`,
  );
}
await storage.close();
