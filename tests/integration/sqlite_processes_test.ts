/**
 * Three server PROCESSES on one SQLite file (WAL, BEGIN IMMEDIATE, busy timeout): every one
 * of 5,000 jobs is executed exactly once, counted across the processes through an
 * append-only log that each execution writes a line to.
 */
import assert from "node:assert/strict";
import { JobClient } from "../../src/client.ts";
import { SqliteStorage } from "../../src/storage/sqlite/sqlite_storage.ts";
import { waitUntil } from "../_helpers/poll.ts";

const CHILD = new URL("../fixtures/sqlite_child.ts", import.meta.url).pathname;

Deno.test("[sqlite] 3 server processes on one file drain 5,000 jobs, each executed once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qml_procs_" });
  const file = `${dir}/jobs.db`, log = `${dir}/executions.log`;
  const children: Deno.ChildProcess[] = [];
  const storage = await SqliteStorage.open({ path: file });
  try {
    const client = new JobClient(storage);
    for (let s = 0; s < 3; s++) {
      children.push(
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", CHILD, "server", file, log, `proc-${s}`],
          stdout: "piped",
          stderr: "inherit",
        }).spawn(),
      );
    }
    // Every server is up (and idle) before the first job exists, so each takes part.
    await Promise.all(children.map(async (c) => {
      const reader = c.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      while (!out.includes("started")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`a server exited early: ${out}`);
        out += value;
      }
      await reader.cancel(); // nothing else is printed; closes the pipe
    }));
    for (let i = 0; i < 5_000; i += 1_000) {
      await client.enqueueMany(
        Array.from({ length: 1_000 }, (_, k) => ({ worker: "count", args: { i: i + k } })),
      );
    }
    await waitUntil(async () => (await client.counts()).byState.Succeeded === 5_000, {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: "5,000 Succeeded",
    });
    for (const c of children) c.kill("SIGTERM");
    for (const c of children) assert.equal((await c.status).code, 0);
    const lines = (await Deno.readTextFile(log)).trim().split("\n");
    const ids = lines.map((l) => l.split(" ")[1]);
    assert.equal(lines.length, 5_000, "5,000 executions in all");
    assert.equal(new Set(ids).size, 5_000, "no job ran twice");
    const byProcess = new Map<string, number>();
    for (const l of lines) {
      byProcess.set(l.split(" ")[0], (byProcess.get(l.split(" ")[0]) ?? 0) + 1);
    }
    // 5,000 no-op jobs drain in about a second: a server that polls (no wake-up reached it
    // in time) may find nothing left. The work must still have been shared.
    assert.ok(
      byProcess.size >= 2,
      `the processes shared the work: ${JSON.stringify([...byProcess])}`,
    );
    const counts = await client.counts();
    assert.equal(counts.byState.Processing + counts.byState.Enqueued, 0);
  } finally {
    for (const c of children) {
      try {
        c.kill("SIGKILL");
      } catch { /* already exited */ }
      await c.status;
    }
    await storage.close();
    await Deno.remove(dir, { recursive: true });
  }
});
