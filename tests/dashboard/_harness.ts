/**
 * Shared pieces of the dashboard tests: one isolated storage per backend (memory, Postgres,
 * Redis, SQLite), a request helper over `app.fetch` (no Deno.serve), and jobs driven into
 * the states a test needs through the real storage verbs and state machine.
 */
import { createJob, type Job } from "../../src/job.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Storage } from "../../src/storage/storage.ts";
import { decide } from "../../src/transitions.ts";
import type { BackendHarness } from "../storage/conformance/harness.ts";
import { openTestStorage as openPostgres } from "../_helpers/postgres.ts";
import { openTestStorage as openRedis } from "../_helpers/redis.ts";
import { sharedBackend } from "../_helpers/shared_backends.ts";

/** Every backend the dashboard tests run on. */
export const BACKENDS: { name: string; open(): Promise<BackendHarness> }[] = [
  {
    name: "memory",
    open: () => {
      const storage = new MemoryStorage();
      return Promise.resolve({ storage, cleanup: () => storage.close() });
    },
  },
  { name: "postgres", open: () => openPostgres() },
  { name: "redis", open: () => openRedis() },
  {
    name: "sqlite",
    open: async () => {
      const backend = sharedBackend("sqlite");
      return { storage: await backend.open(), cleanup: () => backend.cleanup() };
    },
  },
];

/** Register `fn` as one test per backend, each on a fresh isolated storage. */
export function eachBackend(name: string, fn: (storage: Storage) => Promise<void>): void {
  for (const b of BACKENDS) {
    Deno.test(`[${b.name}] ${name}`, async () => {
      const h = await b.open();
      try {
        await fn(h.storage);
      } finally {
        await h.cleanup();
      }
    });
  }
}

/** A response read whole: status, headers and parsed JSON (or text). */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** Call `fetch` (an `app.fetch`) and read the whole answer. */
export async function call(
  fetch: (req: Request) => Response | Promise<Response>,
  method: string,
  path: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(new Request(`http://dash.test${path}`, { method, headers, body }));
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Enqueue jobs built with `createJob` (defaults: method `m`, queue `default`). */
export async function enqueue(
  storage: Storage,
  items: { method?: string; args?: unknown; queue?: string; maxAttempts?: number }[],
): Promise<Job[]> {
  const now = await storage.time();
  const jobs = items.map((i) =>
    createJob({
      method: i.method ?? "m",
      args: i.args ?? null,
      queue: i.queue,
      maxAttempts: i.maxAttempts ?? 1,
      now,
    })
  );
  const res = await storage.enqueue({ jobs, now });
  return res.map((r) => r.job);
}

/** Fetch every ready job of `queues` and finish each with `outcome` (as a server would). */
export async function finishAll(
  storage: Storage,
  queues: string[],
  outcome: "succeeded" | "failed",
): Promise<Job[]> {
  const now = await storage.time();
  const taken = await storage.fetchAndLock({
    queues,
    limit: 5000,
    serverName: "test-server",
    lockTtlMs: 60_000,
    now,
  });
  const items = taken.map((job) => ({
    id: job.id,
    guard: { state: job.state, lockedBy: "test-server" },
    next: decide(
      job,
      outcome === "succeeded" ? { type: "succeeded", result: { ok: true } } : {
        type: "failed",
        error: { name: "Error", message: "boom", stack: "Error: boom\n    at work (w.ts:1:1)" },
        retryable: false,
      },
      { now, server: "test-server" },
    ),
  }));
  const ok = await storage.transition({ items, now });
  if (ok.some((x) => !x)) throw new Error("a transition did not apply");
  return taken;
}
