/**
 * Live updates across processes: a job enqueued and finished by a server in
 * another process reaches the dashboard's socket through the storage (Postgres
 * LISTEN/NOTIFY, Redis pub/sub), in order, within 2 s.
 */
import assert from "node:assert/strict";
import type { JobChange } from "../../src/activity.ts";
import { DashboardServer } from "../../src/dashboard/serve.ts";
import { DURABLE_KINDS, sharedBackend } from "../_helpers/shared_backends.ts";
import { openSocket } from "./_socket.ts";

const LIFECYCLE = ["enqueued", "started", "progress", "succeeded"];

for (const kind of DURABLE_KINDS) {
  Deno.test(`[${kind}] a job run by a server in another process is pushed, in order, within 2 s`, async () => {
    const backend = sharedBackend(kind);
    const dash = new DashboardServer({
      storage: await backend.open(),
      port: 0,
      live: { statsIntervalMs: 200 },
    });
    await dash.start();
    const ws = await openSocket(`ws://127.0.0.1:${dash.port}/ws`);
    let child: Deno.ChildProcess | undefined;
    try {
      await ws.next((m) => m.type === "stats");
      child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tests/fixtures/dashboard_child_server.ts"],
        env: backend.env,
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      const reader = lineReader(child.stdout);
      const id = await reader.next();
      const enqueuedAt = Date.now();
      const done = await ws.next(
        (m) =>
          m.type === "jobs" &&
          m.changes.some((c: JobChange) => c.id === id && c.type === "succeeded"),
        { timeoutMs: 2_000 },
      );
      const latency = Date.now() - enqueuedAt;
      assert.ok(latency <= 2_000, `pushed after ${latency} ms`);
      const types = ws.messages
        .filter((m) => m.type === "jobs")
        .flatMap((m) => m.changes)
        .filter((c: JobChange) => c.id === id)
        .map((c: JobChange) => c.type);
      const order = types.map((t: string) => LIFECYCLE.indexOf(t));
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `in order: ${types.join(" → ")}`);
      assert.equal(types.at(-1), "succeeded");
      const stats = await ws.next((m) => m.type === "stats" && m.stats.byState.Succeeded === 1, {
        from: ws.messages.indexOf(done),
        timeoutMs: 2_000,
      });
      assert.ok(stats);
      assert.equal(await reader.next(), "done");
      await reader.rest();
      assert.equal((await child.status).code, 0);
      child = undefined;
    } finally {
      child?.kill("SIGKILL");
      await child?.status;
      await ws.close();
      await dash.stop();
      await backend.cleanup();
    }
  });
}

// Lines of a child's stdout, one at a time.
function lineReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  return {
    async next(): Promise<string> {
      while (!buffered.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`child stdout ended; got ${JSON.stringify(buffered)}`);
        buffered += value;
      }
      const i = buffered.indexOf("\n");
      const line = buffered.slice(0, i);
      buffered = buffered.slice(i + 1);
      return line.trim();
    },
    async rest(): Promise<void> {
      while (!(await reader.read()).done) { /* drain */ }
    },
  };
}
