/** The examples run as users would run them, and say what they claim. */
import assert from "node:assert/strict";

async function runExample(file: string, args: string[] = []): Promise<string> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", file, ...args],
    stdout: "piped",
    stderr: "piped",
  });
  const out = await cmd.output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 0, `${file} exited ${out.code}:\n${new TextDecoder().decode(out.stderr)}`);
  return text;
}

Deno.test("examples/basic_job.ts enqueues, dedupes and keeps history", async () => {
  const out = await runExample("examples/basic_job.ts");
  assert.match(out, /→ Enqueued/);
  assert.match(out, /same unique key returns it: true/);
  assert.match(out, /counts: Enqueued=1 Scheduled=1/);
  assert.match(out, /Deleted \(changed my mind\)\n.*Enqueued \(requeued\)/);
});

Deno.test("examples/storage_demo.ts gives the same results on memory, SQLite, Postgres and Redis", async () => {
  const out = await runExample("examples/storage_demo.ts");
  const lines = out.trim().split("\n");
  assert.deepEqual(lines.map((l) => l.split(/\s+/)[0]), ["memory", "sqlite", "postgres", "redis"]);
  const results = new Set(lines.map((l) => l.replace(/^\S+\s+/, "")));
  assert.equal(results.size, 1, `backends disagree:\n${out}`);
  assert.match(lines[0], /Succeeded=1 AwaitingRetry=1 Scheduled=1/);
});
