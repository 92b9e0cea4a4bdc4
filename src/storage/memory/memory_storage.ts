/**
 * MemoryStorage: the embedded default backend, with the same semantics as the
 * durable ones (checked by the same conformance suite). Jobs live in one map;
 * heaps keyed by (priority, runAt), runAt, lockedUntil and expiresAt make every
 * verb O(log n) per job. Records are copied in and out so callers never share
 * mutable state with the store, as with a real database.
 *
 * @module
 */
import type { JobChange } from "../../activity.ts";
import type { MetricsBucket, MetricsResolution } from "../../metrics.ts";
import { matchesSearch, parseSearch } from "../search.ts";
import type { ServerInfo } from "../../server_info.ts";
import type { Job } from "../../job.ts";
import { isFinalState, JobState } from "../../job_state.ts";
import type { RecurringTemplate } from "../../recurring.ts";
import {
  applyTransition,
  fetchedEntry,
  promotedEntry,
  type TransitionItem,
} from "../../transitions.ts";
import {
  type EnqueueResult,
  type JobCounts,
  type JobPage,
  type ListParams,
  SEARCH_SCAN_LIMIT,
  type Storage,
  type StorageSignal,
} from "../storage.ts";
import { copyData, copyJob, copyTransition } from "../job_copy.ts";
import { listLimit, txRefusal } from "../contract_rules.ts";
import { Heap } from "./heap.ts";
import { OldestReady } from "./oldest_ready.ts";
import { JobIndex } from "./job_index.ts";
import { MetricsHistory } from "./metrics_history.ts";
import { StateCounts } from "./state_counts.ts";

interface Timed {
  id: string;
  v: number;
  at: number;
}
interface ReadyEntry extends Timed {
  priority: number;
}

const byTime = (a: Timed, b: Timed) => a.at < b.at || (a.at === b.at && a.id < b.id);
const byReady = (a: ReadyEntry, b: ReadyEntry) =>
  a.priority > b.priority || (a.priority === b.priority && byTime(a, b));

const clone = <T>(v: T): T => copyData(v);

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
  readonly #jobs = new JobIndex();
  readonly #versions = new Map<string, number>();
  readonly #ready = new Map<string, Heap<ReadyEntry>>();
  readonly #due = new Heap<Timed>(byTime);
  readonly #locks = new Heap<Timed>(byTime);
  readonly #expiry = new Heap<Timed>(byTime);
  readonly #unique = new Map<string, string>();
  readonly #recurring = new Map<string, RecurringTemplate>();
  readonly #leases = new Map<string, { holder: string; until: number }>();
  readonly #listeners = new Set<(s: StorageSignal) => void>();
  readonly #counts = new StateCounts();
  readonly #servers = new Map<string, ServerInfo>();
  readonly #metrics = new MetricsHistory();
  readonly #oldestReady = new OldestReady((e) => this.#versions.get(e.id) === e.v);

  // Re-index a job after any change: bump its version (staling old heap entries)
  // and push it onto the heap that serves its new state.
  #index(job: Job): void {
    const v = (this.#versions.get(job.id) ?? 0) + 1;
    this.#versions.set(job.id, v);
    const id = job.id;
    this.#counts.set(id, job.queue, job.state);
    switch (job.state) {
      case JobState.Enqueued: {
        let heap = this.#ready.get(job.queue);
        if (!heap) this.#ready.set(job.queue, heap = new Heap(byReady));
        heap.push({ id, v, at: job.runAt.getTime(), priority: job.priority });
        this.#oldestReady.add(job.queue, { id, v, at: job.runAt.getTime() });
        break;
      }
      case JobState.Scheduled:
      case JobState.AwaitingRetry:
        this.#due.push({ id, v, at: job.runAt.getTime() });
        break;
      case JobState.Processing:
        this.#locks.push({ id, v, at: job.lockedUntil!.getTime() });
        break;
    }
    if (job.expiresAt) this.#expiry.push({ id, v, at: job.expiresAt.getTime() });
    if (job.uniqueKey && isFinalState(job.state) && this.#unique.get(job.uniqueKey) === id) {
      this.#unique.delete(job.uniqueKey);
    }
  }

  #fresh(e: { id: string; v: number }): Job | undefined {
    return this.#versions.get(e.id) === e.v ? this.#jobs.get(e.id) : undefined;
  }

  #emit(signal: StorageSignal): void {
    for (const l of this.#listeners) queueMicrotask(() => l(signal));
  }

  enqueue(params: { jobs: readonly Job[]; now: Date; tx?: unknown }): Promise<EnqueueResult[]> {
    const refused = txRefusal("MemoryStorage", params.tx);
    if (refused) return Promise.reject(refused);
    const out: EnqueueResult[] = [];
    const readyQueues = new Set<string>();
    for (const input of params.jobs) {
      if (input.uniqueKey) {
        const holder = this.#unique.get(input.uniqueKey);
        if (holder) {
          out.push({ job: copyJob(this.#jobs.get(holder)!), created: false });
          continue;
        }
        this.#unique.set(input.uniqueKey, input.id);
      }
      const job = copyJob(input);
      this.#jobs.add(job);
      this.#index(job);
      if (job.state === JobState.Enqueued) readyQueues.add(job.queue);
      out.push({ job: copyJob(job), created: true });
    }
    for (const queue of readyQueues) this.#emit({ kind: "ready", queue });
    return Promise.resolve(out);
  }

  get(params: { id: string }): Promise<Job | null> {
    const job = this.#jobs.get(params.id);
    return Promise.resolve(job ? copyJob(job) : null);
  }

  list(params: ListParams): Promise<JobPage> {
    const search = parseSearch(params.search);
    const from = params.from?.getTime() ?? -Infinity;
    const to = params.to?.getTime() ?? Infinity;
    const page = this.#jobs.page(
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

  counts(): Promise<JobCounts> {
    return Promise.resolve(this.#counts.snapshot());
  }

  oldestReady(): Promise<Record<string, Date>> {
    return Promise.resolve(this.#oldestReady.snapshot());
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
      const heap = this.#ready.get(queue);
      const notYet: ReadyEntry[] = [];
      while (heap && heap.size > 0 && out.length < params.limit) {
        const e = heap.pop()!;
        const job = this.#fresh(e);
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
        this.#index(job);
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
      const job = this.#jobs.get(id);
      if (!job || job.state !== guard.state) return false;
      if (guard.lockedBy !== undefined && job.lockedBy !== guard.lockedBy) return false;
      if (guard.lockExpired && !(job.lockedUntil && job.lockedUntil.getTime() <= nowMs)) {
        return false;
      }
      const revives = isFinalState(job.state) && !isFinalState(next.state);
      if (revives && job.uniqueKey) {
        const holder = this.#unique.get(job.uniqueKey);
        if (holder && holder !== id) return false;
        this.#unique.set(job.uniqueKey, id);
      }
      const wasProcessing = job.state === JobState.Processing;
      applyTransition(job, copyTransition(next));
      this.#index(job);
      if (job.state === JobState.Enqueued) readyQueues.add(job.queue);
      if (wasProcessing && job.state === JobState.Deleted) this.#emit({ kind: "cancelled", id });
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
      const job = this.#jobs.get(id);
      if (!job || job.state !== JobState.Processing || job.lockedBy !== params.serverName) {
        lost.push(id);
        continue;
      }
      job.lockedUntil = until;
      this.#index(job);
    }
    return Promise.resolve(lost);
  }

  findExpiredLocks(params: { now: Date; limit: number }): Promise<Job[]> {
    const nowMs = params.now.getTime();
    const keep: Timed[] = [];
    const out: Job[] = [];
    while (out.length < params.limit) {
      const e = this.#locks.peek();
      if (!e || e.at > nowMs) break;
      this.#locks.pop();
      const job = this.#fresh(e);
      if (!job) continue; // stale entry: drop it for good
      keep.push(e);
      out.push(copyJob(job));
    }
    for (const e of keep) this.#locks.push(e);
    return Promise.resolve(out);
  }

  promoteDue(params: { now: Date; limit: number }): Promise<number> {
    const nowMs = params.now.getTime();
    const readyQueues = new Set<string>();
    let n = 0;
    while (n < params.limit) {
      const e = this.#due.peek();
      if (!e || e.at > nowMs) break;
      this.#due.pop();
      const job = this.#fresh(e);
      if (!job) continue;
      job.state = JobState.Enqueued;
      job.history.push(promotedEntry(params.now));
      this.#index(job);
      readyQueues.add(job.queue);
      n++;
    }
    for (const queue of readyQueues) this.#emit({ kind: "ready", queue });
    return Promise.resolve(n);
  }

  purgeExpired(params: { now: Date; limit: number }): Promise<number> {
    const nowMs = params.now.getTime();
    const gone: string[] = [];
    while (gone.length < params.limit) {
      const e = this.#expiry.peek();
      if (!e || e.at > nowMs) break;
      this.#expiry.pop();
      const job = this.#fresh(e);
      if (!job || !job.expiresAt || job.expiresAt.getTime() > nowMs) continue;
      gone.push(job.id);
      this.#versions.delete(job.id);
      this.#counts.remove(job.id, job.queue);
    }
    this.#jobs.removeMany(gone);
    return Promise.resolve(gone.length);
  }

  purgeFinished(params: { before: Date; limit: number }): Promise<number> {
    const beforeMs = params.before.getTime();
    const gone: Job[] = [];
    // No index by finishedAt: memory is for tests and small runs, a full pass is fine.
    for (const job of this.#jobs.all()) {
      if (gone.length >= params.limit) break;
      if (!isFinalState(job.state) || !job.finishedAt) continue;
      if (job.finishedAt.getTime() < beforeMs) gone.push(job);
    }
    for (const job of gone) {
      this.#versions.delete(job.id);
      this.#counts.remove(job.id, job.queue);
    }
    this.#jobs.removeMany(gone.map((j) => j.id));
    return Promise.resolve(gone.length);
  }

  setProgress(params: { id: string; serverName: string; progress: number }): Promise<boolean> {
    const job = this.#jobs.get(params.id);
    if (!job || job.state !== JobState.Processing || job.lockedBy !== params.serverName) {
      return Promise.resolve(false);
    }
    job.progress = params.progress;
    return Promise.resolve(true);
  }

  upsertRecurring(params: {
    template: Omit<RecurringTemplate, "createdAt" | "updatedAt" | "lastTickAt" | "paused">;
    now: Date;
  }): Promise<RecurringTemplate> {
    const old = this.#recurring.get(params.template.name);
    const t: RecurringTemplate = {
      ...clone(params.template),
      createdAt: old?.createdAt ?? params.now,
      updatedAt: params.now,
      lastTickAt: old?.lastTickAt ?? null,
      paused: old?.paused ?? false,
    };
    this.#recurring.set(t.name, t);
    return Promise.resolve(clone(t));
  }

  getRecurring(params: { name: string }): Promise<RecurringTemplate | null> {
    const t = this.#recurring.get(params.name);
    return Promise.resolve(t ? clone(t) : null);
  }

  listRecurring(): Promise<RecurringTemplate[]> {
    const all = [...this.#recurring.values()].sort((a, b) => a.name < b.name ? -1 : 1);
    return Promise.resolve(all.map(clone));
  }

  removeRecurring(params: { name: string }): Promise<boolean> {
    return Promise.resolve(this.#recurring.delete(params.name));
  }

  async claimCronTick(
    params: { name: string; tickAt: Date; job: Job; now: Date },
  ): Promise<Job | null> {
    const t = this.#recurring.get(params.name);
    if (!t || t.paused) return null;
    if (t.lastTickAt && t.lastTickAt.getTime() >= params.tickAt.getTime()) return null;
    t.lastTickAt = params.tickAt;
    const [res] = await this.enqueue({ jobs: [params.job], now: params.now });
    return res.job;
  }

  acquireLease(
    params: { name: string; holder: string; ttlMs: number; now: Date },
  ): Promise<boolean> {
    const nowMs = params.now.getTime();
    const cur = this.#leases.get(params.name);
    if (cur && cur.holder !== params.holder && cur.until > nowMs) return Promise.resolve(false);
    this.#leases.set(params.name, { holder: params.holder, until: nowMs + params.ttlMs });
    return Promise.resolve(true);
  }

  releaseLease(params: { name: string; holder: string }): Promise<void> {
    if (this.#leases.get(params.name)?.holder === params.holder) this.#leases.delete(params.name);
    return Promise.resolve();
  }

  setRecurringPaused(
    params: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null> {
    const t = this.#recurring.get(params.name);
    if (!t) return Promise.resolve(null);
    if (t.paused !== params.paused) {
      t.paused = params.paused;
      t.updatedAt = params.now;
    }
    return Promise.resolve(clone(t));
  }

  recordServer(params: { server: ServerInfo }): Promise<void> {
    this.#servers.set(params.server.name, clone(params.server));
    return Promise.resolve();
  }

  removeServer(params: { name: string }): Promise<void> {
    this.#servers.delete(params.name);
    return Promise.resolve();
  }

  listServers(): Promise<ServerInfo[]> {
    const all = [...this.#servers.values()].sort((a, b) => a.name < b.name ? -1 : 1);
    return Promise.resolve(all.map(clone));
  }

  pruneServers(params: { before: Date }): Promise<number> {
    let n = 0;
    for (const [name, s] of this.#servers) {
      if (s.heartbeatAt.getTime() < params.before.getTime()) {
        this.#servers.delete(name);
        n++;
      }
    }
    return Promise.resolve(n);
  }

  recordActivity(
    params: { metrics: readonly MetricsBucket[]; changes: readonly JobChange[] },
  ): Promise<void> {
    this.#metrics.record(params.metrics);
    if (params.changes.length) {
      this.#emit({ kind: "activity", changes: clone([...params.changes]) });
    }
    return Promise.resolve();
  }

  queryMetrics(params: {
    from: Date;
    to: Date;
    resolution: MetricsResolution;
    queue?: string;
    method?: string;
  }): Promise<MetricsBucket[]> {
    return Promise.resolve(this.#metrics.query(params));
  }

  compactMetrics(params: { now: Date }): Promise<number> {
    return Promise.resolve(this.#metrics.compact(params.now));
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
