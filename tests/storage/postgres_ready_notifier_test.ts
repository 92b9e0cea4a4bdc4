/** Wake-ups sent after an enqueue's commit: one in flight per queue, none lost, none extra. */
import assert from "node:assert/strict";
import { createJob } from "../../src/job.ts";
import { ReadyNotifier } from "../../src/storage/postgres/ready_notifier.ts";
import { openTestStorage } from "../_helpers/postgres.ts";
import { waitUntil } from "../_helpers/poll.ts";

function rig() {
  const sent: string[] = [];
  const pending: (() => void)[] = [];
  const notifier = new ReadyNotifier((queue) => {
    sent.push(queue);
    return new Promise<void>((resolve) => pending.push(resolve));
  });
  const settle = async () => {
    while (pending.length > 0) {
      pending.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { notifier, sent, pending, settle };
}

Deno.test("ready notifier: commits during a wake-up in flight share one more, sent after it", async () => {
  const r = rig();
  r.notifier.notify(["a", "b"]);
  assert.deepEqual(r.sent, ["a", "b"], "one wake-up per queue at once");
  // Three more enqueues of `a` commit while its wake-up is out: it may have been read before
  // they committed, so one more must follow — one, not three.
  r.notifier.notify(["a"]);
  r.notifier.notify(["a"]);
  r.notifier.notify(["a"]);
  assert.deepEqual(r.sent, ["a", "b"], "nothing more while `a` is in flight");
  r.pending.shift()!(); // a's first wake-up done
  await new Promise((res) => setTimeout(res, 0));
  assert.deepEqual(r.sent, ["a", "b", "a"]);
  await r.settle();
  assert.deepEqual(r.sent, ["a", "b", "a"], "no wake-up without a commit after the last one");
  await r.notifier.flush();
});

Deno.test("ready notifier: a failed wake-up is let go, the next is still sent, flush waits for all", async () => {
  let calls = 0;
  const notifier = new ReadyNotifier(() => {
    calls++;
    return calls === 1 ? Promise.reject(new Error("connection lost")) : Promise.resolve();
  });
  notifier.notify(["q"]);
  notifier.notify(["q"]);
  await notifier.flush();
  assert.equal(calls, 2);
  notifier.notify(["q"]);
  await notifier.flush();
  assert.equal(calls, 3);
});

Deno.test("postgres: concurrent enqueues (wake-ups after their commits) each wake a listener", async () => {
  const h = await openTestStorage();
  const heard = new Set<string>();
  const unsubscribe = h.storage.subscribe((s) => {
    if (s.kind === "ready") heard.add(s.queue);
  });
  try {
    await h.storage.listening();
    const queues = Array.from({ length: 20 }, (_, i) => `q${i}`);
    // All at once: all but the first go out without a NOTIFY in their statement.
    await Promise.all(queues.map((queue) =>
      h.storage.enqueue({
        jobs: [createJob({ method: "m", args: { queue }, queue, now: new Date() })],
        now: new Date(),
      })
    ));
    await waitUntil(() => heard.size === queues.length, { what: "a wake-up for every queue" });
    // And the jobs are there when the wake-up comes: it follows the commit.
    assert.equal((await h.storage.counts()).byState.Enqueued, queues.length);
  } finally {
    unsubscribe();
    await h.cleanup();
  }
});
