/**
 * MemoryStorage: the embedded default backend, with the same semantics as the
 * durable ones (checked by the same conformance suite). Jobs and the heaps that
 * make every verb O(log n) per job live in `job_store.ts`. Records are copied in and out so callers never share
 * mutable state with the store, as with a real database.
 *
 * @module
 */
import type { MetricsBucket, MetricsResolution } from "../../metrics.ts";
import { matchesSearch, parseSearch } from "../search.ts";
import type { ServerInfo } from "../../server_info.ts";
import type { Job } from "../../job.ts";
import { isFinalState, JobState } from "../../job_state.ts";
import type { RecurringTemplate, RecurringTemplateInput } from "../../recurring.ts";
import {
  applyTransition,
  expiredOnWrite,
  fetchedEntry,
  type TransitionItem,
} from "../../transitions.ts";
import {
  type ActivityRecord,
  type EnqueueResult,
  type JobCounts,
  type JobPage,
  type ListParams,
  SEARCH_SCAN_LIMIT,
  type Storage,
  type StorageSignal,
} from "../storage.ts";
import { copyJob, copyJobWith, copyTransition, sharedDates } from "../job_copy.ts";
import { listLimit, txRefusal } from "../contract_rules.ts";
import { MemoryDashboard } from "./dashboard.ts";
import { JobStore, type ReadyEntry } from "./job_store.ts";
import * as maintenance from "./maintenance.ts";
import { Leases } from "./maintenance.ts";
import { RecurringTemplates } from "./recurring.ts";

/**
 * In-process storage: fast, no setup, nothing survives the process.
 *
 * @example
 * ```ts
 * import { JobClient, MemoryStorage } from "@qml/qml";
 * const storage = new MemoryStorage();
 * await new JobClient(storage).enqueue("ping", {});
 * console.log((await storage.counts()).byState.Enqueued); // 1
 * ```
 */
export class MemoryStorage implements Storage {
  /** The process clock (memory storage lives in this process). */
  time(): Promise<Date> {
    return Promise.resolve(new Date());
  }

  /** Backend name. */
  readonly kind = "memory";
  readonly #store = new JobStore();
  readonly #recurring = new RecurringTemplates();
  readonly #leases = new Leases();
  readonly #listeners = new Set<(s: StorageSignal) => void>();
  readonly #emitter = (signal: StorageSignal) => this.#emit(signal);
  readonly #dash = new MemoryDashboard(this.#emitter);

  #emit(signal: StorageSignal): void {
    for (const l of this.#listeners) queueMicrotask(() => l(signal));
  }

  enqueue(params: { jobs: readonly Job[]; now: Date; tx?: unknown }): Promise<EnqueueResult[]> {
    const refused = txRefusal("MemoryStorage", params.tx);
    if (refused) return Promise.reject(refused);
    const out: EnqueueResult[] = [];
    const readyQueues = new Set<string>();
    const dates = sharedDates();
    for (const input of params.jobs) {
      if (input.uniqueKey) {
        const holder = this.#store.unique.get(input.uniqueKey);
        if (holder) {
          out.push({ job: copyJob(this.#store.jobs.get(holder)!), created: false });
          continue;
        }
        this.#store.unique.set(input.uniqueKey, input.id);
      }
      const job = copyJobWith(input, dates);
      this.#store.jobs.add(job);
      this.#store.index(job);
      if (job.state === JobState.Enqueued) readyQueues.add(job.queue);
      // The store keeps its copy; the caller gets its own record back (as every backend does).
      out.push({ job: input, created: true });
    }
    for (const queue of readyQueues) this.#emit({ kind: "ready", queue });
    return Promise.resolve(out);
  }

  get(params: { id: string }): Promise<Job | null> {
    const job = this.#store.jobs.get(params.id);
    return Promise.resolve(job ? copyJob(job) : null);
  }

  list(params: ListParams): Promise<JobPage> {
    const search = parseSearch(params.search);
    const from = params.from?.getTime() ?? -Infinity;
    const to = params.to?.getTime() ?? Infinity;
    const page = this.#store.jobs.page(
      params.cursor ?? null,
      listLimit(params.limit),
      (j) =>
        (!params.state || j.state === params.state) &&
        (!params.queue || j.queue === params.queue) &&
        (!params.method || j.method === params.method),
      // Search and time range are the unindexed filters: bounded like the durable backends.
      search || params.from || params.to
        ? {
          scanLimit: SEARCH_SCAN_LIMIT,
          match: (j) =>
            j.createdAt.getTime() >= from && j.createdAt.getTime() < to &&
            (!search || matchesSearch(j, search)),
        }
        : undefined,
    );
    return Promise.resolve({ jobs: page.jobs.map(copyJob), nextCursor: page.nextCursor });
  }

  oldestReady(): Promise<Record<string, Date>> {
    return Promise.resolve(this.#store.oldestReady.snapshot());
  }

  counts(): Promise<JobCounts> {
    return Promise.resolve(this.#store.counts.snapshot());
  }

  fetchAndLock(params: {
    queues: readonly string[];
    limit: number;
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<Job[]> {
    const { now, serverName } = params;
    const nowMs = now.getTime();
    const out: Job[] = [];
    for (const queue of params.queues) {
      const heap = this.#store.ready.get(queue);
      const notYet: ReadyEntry[] = [];
      while (heap && heap.size > 0 && out.length < params.limit) {
        const e = heap.pop()!;
        const job = this.#store.fresh(e);
        if (!job) continue;
        if (e.at > nowMs) {
          notYet.push(e); // Enqueued with a future runAt (clock skew): keep it for later.
          continue;
        }
        job.state = JobState.Processing;
        job.attempts++;
        job.startedAt = now;
        job.lockedBy = serverName;
        job.lockedUntil = new Date(nowMs + params.lockTtlMs);
        job.history.push(fetchedEntry(serverName, now));
        this.#store.index(job);
        out.push(copyJob(job));
      }
      for (const e of notYet) heap!.push(e);
      if (out.length >= params.limit) break;
    }
    return Promise.resolve(out);
  }

  transition(params: { items: readonly TransitionItem[]; now: Date }): Promise<boolean[]> {
    const nowMs = params.now.getTime();
    const readyQueues = new Set<string>();
    const results = params.items.map(({ id, guard, next }) => {
      const job = this.#store.jobs.get(id);
      if (!job || job.state !== guard.state) return false;
      if (guard.lockedBy !== undefined && job.lockedBy !== guard.lockedBy) return false;
      if (guard.lockExpired && !(job.lockedUntil && job.lockedUntil.getTime() <= nowMs)) {
        return false;
      }
      const revives = isFinalState(job.state) && !isFinalState(next.state);
      if (revives && job.uniqueKey) {
        const holder = this.#store.unique.get(job.uniqueKey);
        if (holder && holder !== id) return false;
        this.#store.unique.set(job.uniqueKey, id);
      }
      const wasProcessing = job.state === JobState.Processing;
      if (expiredOnWrite(next, params.now)) this.#store.remove([job]);
      else {
        applyTransition(job, copyTransition(next));
        this.#store.index(job);
        if (job.state === JobState.Enqueued) readyQueues.add(job.queue);
      }
      if (wasProcessing && next.state === JobState.Deleted) this.#emit({ kind: "cancelled", id });
      return true;
    });
    for (const queue of readyQueues) this.#emit({ kind: "ready", queue });
    return Promise.resolve(results);
  }

  extendLocks(params: {
    ids: readonly string[];
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<string[]> {
    const lost: string[] = [];
    const until = new Date(params.now.getTime() + params.lockTtlMs);
    for (const id of params.ids) {
      const job = this.#store.jobs.get(id);
      if (!job || job.state !== JobState.Processing || job.lockedBy !== params.serverName) {
        lost.push(id);
        continue;
      }
      job.lockedUntil = until;
      this.#store.index(job);
    }
    return Promise.resolve(lost);
  }

  findExpiredLocks(params: { now: Date; limit: number }): Promise<Job[]> {
    return Promise.resolve(maintenance.findExpiredLocks(this.#store, params));
  }

  promoteDue(params: { now: Date; limit: number }): Promise<number> {
    return Promise.resolve(maintenance.promoteDue(this.#store, params, this.#emitter));
  }

  purgeExpired(params: { now: Date; limit: number }): Promise<number> {
    return Promise.resolve(maintenance.purgeExpired(this.#store, params));
  }

  purgeFinished(params: { before: Date; limit: number }): Promise<number> {
    return Promise.resolve(maintenance.purgeFinished(this.#store, params));
  }

  setProgress(params: { id: string; serverName: string; progress: number }): Promise<boolean> {
    const job = this.#store.jobs.get(params.id);
    if (!job || job.state !== JobState.Processing || job.lockedBy !== params.serverName) {
      return Promise.resolve(false);
    }
    job.progress = params.progress;
    return Promise.resolve(true);
  }

  upsertRecurring(params: {
    template: RecurringTemplateInput;
    now: Date;
  }): Promise<RecurringTemplate> {
    return Promise.resolve(this.#recurring.upsert(params));
  }

  getRecurring(params: { name: string }): Promise<RecurringTemplate | null> {
    return Promise.resolve(this.#recurring.get(params.name));
  }

  listRecurring(): Promise<RecurringTemplate[]> {
    return Promise.resolve(this.#recurring.list());
  }

  removeRecurring(params: { name: string }): Promise<boolean> {
    return Promise.resolve(this.#recurring.remove(params.name));
  }

  setRecurringPaused(
    params: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null> {
    return Promise.resolve(this.#recurring.setPaused(params));
  }

  async claimCronTick(
    params: { name: string; tickAt: Date; job: Job; now: Date },
  ): Promise<Job | null> {
    if (!this.#recurring.claimTick(params.name, params.tickAt)) return null;
    const [res] = await this.enqueue({ jobs: [params.job], now: params.now });
    return res.job;
  }

  acquireLease(
    params: { name: string; holder: string; ttlMs: number; now: Date },
  ): Promise<boolean> {
    return Promise.resolve(this.#leases.acquire(params));
  }

  releaseLease(params: { name: string; holder: string }): Promise<void> {
    this.#leases.release(params);
    return Promise.resolve();
  }

  recordServer(params: { server: ServerInfo }): Promise<void> {
    return this.#dash.recordServer(params);
  }

  removeServer(params: { name: string }): Promise<void> {
    return this.#dash.removeServer(params);
  }

  listServers(): Promise<ServerInfo[]> {
    return this.#dash.listServers();
  }

  pruneServers(params: { before: Date }): Promise<number> {
    return this.#dash.pruneServers(params);
  }

  recordActivity(
    params: ActivityRecord,
  ): Promise<void> {
    return this.#dash.recordActivity(params);
  }

  queryMetrics(params: {
    from: Date;
    to: Date;
    resolution: MetricsResolution;
    queue?: string;
    method?: string;
  }): Promise<MetricsBucket[]> {
    return this.#dash.queryMetrics(params);
  }

  compactMetrics(params: { now: Date }): Promise<number> {
    return this.#dash.compactMetrics(params);
  }

  subscribe(listener: (signal: StorageSignal) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }
}
