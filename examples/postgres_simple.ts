/**
 * Jobs on PostgreSQL: connect (the schema is created on first use), run a server, enqueue a
 * few jobs — one of them inside your own database transaction — and watch them finish.
 *
 *     deno run -A examples/postgres_simple.ts
 *
 * DATABASE_URL picks the database (default: postgres://postgres@127.0.0.1:5432/test). The
 * example works in a schema of its own and drops it at the end.
 *
 * @module
 */
import {
  BackgroundJobServer,
  defineWorker,
  JobClient,
  PostgresStorage,
  WorkerRegistry,
} from "../mod.ts";

const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = "qml_example_simple";

const sendEmail = defineWorker({
  name: "send_email",
  execute(args: { to: string; subject: string }) {
    return { messageId: `m-${args.to}` };
  },
});
const shipOrder = defineWorker({
  name: "ship_order",
  execute(args: { orderId: number }) {
    return { shipped: args.orderId };
  },
});
const registry = new WorkerRegistry().register(sendEmail).register(shipOrder);

// autoMigrate (the default) creates or upgrades the schema at connect.
const storage = await PostgresStorage.connect({ url, schema });
try {
  const client = new JobClient(storage, { registry });
  const server = new BackgroundJobServer({
    storage,
    workers: registry,
    execution: "inline",
    serverName: "example-1",
    logLevel: "warn",
  });
  await server.start();

  const email = await client.enqueue(sendEmail, { to: "ada@example.com", subject: "hello" });
  console.log(`enqueued ${email.method} ${email.id}`);

  // Transactional enqueue: the job exists if and only if the order row commits with it.
  await storage.sql.unsafe(`CREATE TABLE IF NOT EXISTS "${schema}".orders (id int PRIMARY KEY)`);
  const ship = await storage.sql.begin(async (tx) => {
    await tx.unsafe(`INSERT INTO "${schema}".orders (id) VALUES (42)`);
    return await client.enqueue(shipOrder, { orderId: 42 }, { tx });
  });
  console.log(`enqueued ${ship.method} ${ship.id} in the order's transaction`);

  for (const id of [email.id, ship.id]) {
    const done = await client.waitFor(id, { timeoutMs: 10_000 });
    console.log(`${done.method} → ${done.state} ${JSON.stringify(done.result)}`);
  }
  const counts = await client.counts();
  console.log(`succeeded: ${counts.byState.Succeeded}`);
  await server.stop();
} finally {
  await storage.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await storage.close();
}
console.log("done");
