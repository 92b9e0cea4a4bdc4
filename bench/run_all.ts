/**
 * `deno task bench`: every benchmark, one after the other (they must not share
 * the two cores), each printing medians of 3 runs.
 *
 * @module
 */
const benches = [
  "bench/memory_bench.ts",
  "bench/postgres_bench.ts",
  "bench/redis_bench.ts",
  "bench/sqlite_bench.ts",
];
let failed = 0;
for (const file of benches) {
  console.log(`\n== ${file}`);
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", file, ...Deno.args],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) failed++;
}
Deno.exit(failed ? 1 : 0);
