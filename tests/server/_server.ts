/** Shared set-up of the server tests. */
import { BackgroundJobServer } from "../../src/server/job_server.ts";
import type { BackgroundJobServerOptions, ExecutionMode } from "../../src/server/config.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import type { Job } from "../../src/job.ts";
import type { Storage } from "../../src/storage/storage.ts";

/** The test workers module. */
export const FIXTURES = new URL("../fixtures/workers/test_workers.ts", import.meta.url);

/** Both execution modes, for tests that must hold in each. */
export const MODES: Exclude<ExecutionMode, "process">[] = ["workers", "inline"];

/** A quiet, fast-polling server on a fresh MemoryStorage (unless one is given). */
export function makeServer(
  opts: Partial<BackgroundJobServerOptions> & { storage?: Storage } = {},
): { server: BackgroundJobServer; storage: Storage } {
  const storage = opts.storage ?? new MemoryStorage();
  const server = new BackgroundJobServer({
    workers: FIXTURES,
    threads: 2,
    pollIntervalMs: 20,
    logLevel: "silent",
    enableCleanup: false,
    enableRecurring: false,
    env: {},
    ...opts,
    storage,
  });
  return { server, storage };
}

/** Run `fn` with a started server and always stop it. */
export async function withServer(
  opts: Partial<BackgroundJobServerOptions> & { storage?: Storage },
  fn: (server: BackgroundJobServer, storage: Storage) => Promise<void>,
): Promise<void> {
  const { server, storage } = makeServer(opts);
  await server.start();
  try {
    await fn(server, storage);
  } finally {
    await server.stop();
  }
}

/** Every job of `storage` (all pages). */
export async function allJobs(storage: Storage): Promise<Job[]> {
  const out: Job[] = [];
  let cursor: string | null = null;
  do {
    const page = await storage.list({ limit: 1000, cursor });
    out.push(...page.jobs);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** How many times a job was fetched, from its history. */
export function fetchCount(job: Job): number {
  return job.history.filter((h) => h.reason === "fetched").length;
}
