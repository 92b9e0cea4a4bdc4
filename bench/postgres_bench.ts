/**
 * PostgresStorage benchmarks (not tests): the workloads of bench/workloads.ts on a
 * fresh schema per run. fsync and synchronous_commit stay at the server's settings (on).
 *
 *   deno run -A bench/postgres_bench.ts [--only=1a,1b,drain,2,3] [--runs=3] [--execution=workers]
 *
 * Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
 *
 * @module
 */
import { PostgresStorage } from "../src/storage/postgres/postgres_storage.ts";
import { runWorkloads } from "./workloads.ts";

const url = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/test";

await runWorkloads({
  name: "PostgreSQL",
  async open() {
    const schema = `qml_bench_${crypto.randomUUID().slice(0, 8)}`;
    const storage = await PostgresStorage.connect({ url, schema, maxConnections: 10 });
    return {
      storage,
      async drop() {
        await storage.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await storage.close();
      },
    };
  },
  listening: (s) => (s as PostgresStorage).listening(),
});
