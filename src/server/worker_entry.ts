/**
 * The script each Web Worker of the pool runs: import the registry module,
 * run the jobs it is sent (many at once, each with its own AbortSignal), and
 * post results back in batches, one message per event-loop turn.
 *
 * Uncaught errors are deliberately not caught here: the main isolate sees the
 * worker die, replaces it and fails its jobs, which is the only safe answer to
 * state a crashed handler may have left behind.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import type { WorkerRegistry } from "../worker.ts";
import type { FromWorker, RunResult, ToWorker, WireJob } from "./protocol.ts";
import { importRegistry } from "./registry_loader.ts";
import { runJob, type RunSink } from "./run_job.ts";

let registry: WorkerRegistry | undefined;
let maxPayloadBytes: number | undefined;
let loading: Promise<void> | undefined;
const running = new Map<string, AbortController>();
let results: RunResult[] = [];
let progress: [string, number][] = [];
let logs: [string, string][] = [];
let flushQueued = false;
let lastSeq = 0;
let ackedSeq = 0;
let ackTimer: ReturnType<typeof setTimeout> | undefined;

const sink: RunSink = {
  progress(id, percent) {
    progress.push([id, percent]);
    scheduleFlush();
  },
  log(id, text) {
    logs.push([id, text]);
    scheduleFlush();
  },
};

function post(msg: FromWorker): void {
  self.postMessage(msg);
}

function scheduleFlush(): void {
  // A microtask, not a timer (timers cost ~1 ms of latency per round trip): jobs of
  // one batch advance in lockstep, so those finishing together share the message.
  if (!flushQueued) {
    flushQueued = true;
    queueMicrotask(flush);
  }
}

function flush(): void {
  flushQueued = false;
  const msg: FromWorker = { t: "out", results, progress, logs, ack: lastSeq };
  ackedSeq = lastSeq;
  results = [];
  progress = [];
  logs = [];
  try {
    post(msg);
  } catch {
    // Some result is not structured-cloneable: send each alone, failing the bad ones.
    for (const r of msg.results) {
      try {
        post({ t: "out", results: [r], progress: [], logs: [], ack: lastSeq });
      } catch (err) {
        post({
          t: "out",
          results: [{
            id: r.id,
            kind: "error",
            error: { name: "DataCloneError", message: `result is not serialisable: ${err}` },
          }],
          progress: [],
          logs: [],
          ack: lastSeq,
        });
      }
    }
    post({ t: "out", results: [], progress: msg.progress, logs: msg.logs, ack: lastSeq });
  }
}

async function load(url: string): Promise<void> {
  try {
    const loaded = await importRegistry(url);
    if (!loaded) {
      post({ t: "init_error", message: "its default export is not a WorkerRegistry" });
      return;
    }
    registry = loaded;
    post({ t: "ready" });
  } catch (err) {
    post({ t: "init_error", message: err instanceof Error ? err.message : String(err) });
  }
}

function start(job: WireJob): void {
  const ac = new AbortController();
  running.set(job.id, ac);
  runJob(registry!, job, ac.signal, sink, maxPayloadBytes).then((r) => {
    // A newer run of the same job (re-fetched after a lost lock) owns the id now.
    if (running.get(job.id) !== ac) return;
    running.delete(job.id);
    results.push(r);
    scheduleFlush();
  });
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  switch (msg.t) {
    case "init":
      maxPayloadBytes = msg.maxPayloadBytes;
      loading = load(msg.url);
      return;
    case "run":
      if (!registry) await loading;
      if (!registry) return; // init failed: the main isolate is already tearing us down
      for (const job of msg.jobs) start(job);
      lastSeq = msg.seq;
      // Acknowledge on the next turn unless a result message (which carries the ack)
      // goes out first: fast jobs cost no extra message, slow ones one small one.
      ackTimer ??= setTimeout(() => {
        ackTimer = undefined;
        if (ackedSeq < lastSeq) flush();
      }, 0);
      return;
    case "abort":
      for (const id of msg.ids) {
        running.get(id)?.abort(new DOMException(`job aborted: ${msg.reason}`, "AbortError"));
      }
      // Answer, so the pool can tell a thread whose event loop still turns from a stuck one.
      scheduleFlush();
      return;
  }
};
