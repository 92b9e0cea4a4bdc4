/**
 * Managing qml's schema yourself: `autoMigrate: false`, inspect what is pending, apply it
 * with `migrate()` at a moment you choose, and keep your own tables next to qml's (here: an
 * audit row written in the same transaction as the job it describes).
 *
 *     deno run -A examples/custom_migrations.ts
 *
 * DATABASE_URL picks the database (default: postgres://postgres@127.0.0.1:5432/test). The
 * example's schema is dropped at the end.
 *
 * @module
 */
import { JobClient, MigrationError, PostgresStorage } from "../mod.ts";

const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";
const schema = "qml_example_custom";

const storage = await PostgresStorage.connect({ url, schema, autoMigrate: false });
try {
  console.log(`schema exists: ${await storage.schemaExists()}`);
  console.log(`pending: ${(await storage.pendingMigrations()).join(", ")}`);

  try {
    const { applied, version } = await storage.migrate();
    console.log(`applied: ${applied.join(", ")} (version ${version})`);
  } catch (err) {
    // A failed migration rolls back entirely and names itself.
    if (err instanceof MigrationError) console.error(`migration ${err.migration} failed`);
    throw err;
  }
  console.log(`second migrate() applies: ${(await storage.migrate()).applied.length}`);

  // Your own table next to qml's (your migration tool would own this step).
  await storage.sql.begin(async (tx) => {
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS "${schema}".audit (
      job_id text PRIMARY KEY, note text NOT NULL)`);
  });

  // The job and your row commit together, or neither does.
  const client = new JobClient(storage);
  const job = await storage.sql.begin(async (tx) => {
    const job = await client.enqueue("reindex", { table: "products" }, { tx });
    await tx.unsafe(`INSERT INTO "${schema}".audit VALUES ($1, $2)`, [job.id, "nightly reindex"]);
    return job;
  });
  const [row] = await storage.sql.unsafe(
    `SELECT j.state, a.note FROM "${schema}".jobs j JOIN "${schema}".audit a ON a.job_id = j.id`,
  );
  console.log(`job ${job.id}: ${row.state}, audit: ${row.note}`);
} finally {
  await storage.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await storage.close();
}
console.log("done");
