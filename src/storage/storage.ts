/**
 * The one storage contract. The server, the maintenance plugins, the client
 * and the dashboard talk to storage only through these verbs; each backend
 * (memory, Postgres, Redis) implements them with the same semantics, which one
 * conformance suite (`tests/storage/conformance/`) checks.
 *
 * Every verb takes one params object. Verbs that depend on time take `now`:
 * the clock is injected by the caller, never read inside a backend.
 * Backends throw {@link StorageError} for driver failures.
 *
 * @module
 */
import type { Job } from "../job.ts";
import type { JobState } from "../job_state.ts";
import type { RecurringTemplate, RecurringTemplateInput } from "../recurring.ts";
import type { TransitionItem } from "../transitions.ts";
import type { JobChange } from "../activity.ts";
import type { MetricsBucket, MetricsResolution } from "../metrics.ts";
import type { ServerInfo } from "../server_info.ts";

/** Result of enqueuing one job. */
export interface EnqueueResult {
  /** The stored job: the new one, or the live job that already held its unique key. */
  job: Job;
  /** False when the unique key was taken and nothing new was stored. */
  created: boolean;
}

/** Filters and page of {@link Storage.list}. */
export interface ListParams {
  /** Only jobs in this state. */
  state?: JobState;
  /** Only jobs of this queue. */
  queue?: string;
  /** Only jobs of this method. */
  method?: string;
  /**
   * Search: an id or id prefix, a method, `key:value` for a top-level field of `args`, or a
   * plain substring of the JSON of `args` (ASCII case-insensitive; the rule is in
   * `search.ts`). A search looks only at the newest {@link SEARCH_SCAN_LIMIT} jobs that
   * pass the `state`, `queue` and `method` filters, below the cursor: older jobs are never
   * reported by that page, which then has no `nextCursor`.
   */
  search?: string;
  /** Only jobs created at or after this time (bounded like `search`). */
  from?: Date;
  /** Only jobs created before this time (bounded like `search`). */
  to?: Date;
  /** Page size, 1..1000. */
  limit: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
}

/** One page of jobs, newest first. */
export interface JobPage {
  /** The jobs of this page, newest first. */
  jobs: Job[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Job counts. */
export interface JobCounts {
  /** Every state, zero included. */
  byState: Record<JobState, number>;
  /** Per queue that holds any job: every state, zero included. */
  byQueue: Record<string, Record<JobState, number>>;
}

/** A wake-up or cancel signal from storage; see {@link Storage.subscribe}. */
export type StorageSignal =
  /** Jobs became ready in `queue` (enqueued, promoted, requeued, rescued, released). */
  | { kind: "ready"; queue: string }
  /** Job `id` was deleted while Processing: its server should abort it. */
  | { kind: "cancelled"; id: string }
  /**
   * Jobs changed (published once per written batch by {@link Storage.recordActivity}).
   * `omitted` (when above 0) counts older changes of the same batch that were not carried
   * (a busy server publishes only its newest): a view of particular jobs may be stale.
   */
  | { kind: "activity"; changes: JobChange[]; omitted?: number };

/** What one {@link Storage.recordActivity} call records and publishes. */
export interface ActivityRecord {
  /** Metrics deltas to add to the per-minute history. */
  metrics: readonly MetricsBucket[];
  /** Job changes to publish, oldest first. */
  changes: readonly JobChange[];
  /** Older changes left out of `changes` (published as the signal's `omitted`); default 0. */
  omitted?: number;
}

/**
 * How many jobs one `list` page with a `search` (or `from` / `to`) scans at most: the
 * newest that pass its `state`, `queue` and `method` filters, below its cursor. The same on
 * every backend; sized so that a search stays under 100 ms at a million jobs on Redis, the
 * slowest to scan (one hash read per job; README, "At a million jobs").
 */
export const SEARCH_SCAN_LIMIT = 5_000;

/**
 * The storage contract.
 *
 * Guarantees every backend gives:
 * - every write verb is atomic per job (batch verbs may apply some items and not others,
 *   and say which);
 * - a job is handed to at most one fetcher while its lock is valid;
 * - a transition applies only if its guard still holds (compare-and-set), so a late
 *   finish from a server that lost its lock, or a second rescuer, changes nothing.
 */
export interface Storage {
  /** Backend name: `"memory"`, `"postgres"`, `"redis"` or `"sqlite"`. */
  readonly kind: string;

  /**
   * Whether each `transition` call pays a fixed cost of its own that a larger batch shares:
   * a durable commit on a connection of its own (Postgres, SQLite). A server then lets a few
   * finished results wait for more while it is fetching, instead of paying a commit for each
   * handful. Absent or false: writes are cheap to send as they come (Redis pipelines them with
   * the fetches on its one connection; memory has no commit).
   */
  readonly commitPerWrite?: boolean;

  /**
   * Store new jobs (built with `createJob`) in one round trip where the backend allows.
   * A job whose `uniqueKey` is held by a live job (Enqueued, Scheduled, Processing,
   * AwaitingRetry) is not stored: its result carries the live job and `created: false`.
   * Results are in input order. Emits `ready` for stored Enqueued jobs. A created job's result
   * is the caller's input record itself (the backend keeps or writes its own copy, so the two
   * never share a mutable object).
   *
   * `tx` is the caller's own transaction (Postgres: a postgres.js `sql` inside
   * `sql.begin`): the jobs then exist if and only if that transaction commits.
   * Backends without transactions throw `ConfigError` when it is given.
   */
  enqueue(params: { jobs: readonly Job[]; now: Date; tx?: unknown }): Promise<EnqueueResult[]>;

  /** One job by id, or `null`. */
  get(params: { id: string }): Promise<Job | null>;

  /** Jobs newest first (by id), filtered, one page at a time. */
  list(params: ListParams): Promise<JobPage>;

  /** Counts by state and by queue. */
  counts(): Promise<JobCounts>;

  /**
   * Per queue holding Enqueued jobs, the earliest `runAt` among them: the oldest ready job
   * has waited since then (the dashboard shows the storage time minus it, 0 when ahead).
   * Read from the ready index — one lookup per (queue, priority) present — never a scan.
   */
  oldestReady(): Promise<Record<string, Date>>;

  /**
   * Take up to `limit` ready jobs for `serverName`: Enqueued jobs with `runAt <= now`,
   * from `queues` in strict order (all of the first queue's ready jobs before any of the
   * second's), then higher `priority`, then earlier `runAt`, then id.
   * Each becomes Processing with attempts + 1, `startedAt = now`, a lock held by
   * `serverName` until `now + lockTtlMs`, and the `fetchedEntry` in its history.
   * Concurrent fetchers never receive the same job.
   */
  fetchAndLock(params: {
    queues: readonly string[];
    limit: number;
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<Job[]>;

  /**
   * Apply decided transitions (see `decide`): each applies only if its guard holds,
   * writes every field of `next`, clears the lock, appends `next.entry` to the history,
   * frees the unique key when the new state is final, emits `ready` for Enqueued and
   * `cancelled` for a Processing job moved to Deleted. A transition that would make a
   * job live again (requeue) while another live job holds its unique key does not apply.
   * A job that ends already expired (`expiredOnWrite`: a final state whose `expiresAt` is
   * not after `now`, i.e. a retention of 0) is deleted instead of stored, guard and signals
   * as above. Returns, per item, whether it applied.
   */
  transition(params: { items: readonly TransitionItem[]; now: Date }): Promise<boolean[]>;

  /**
   * Heartbeat: push the locks of `ids` held by `serverName` to `now + lockTtlMs`.
   * Returns the ids whose lock this server no longer holds (deleted, rescued): abort them.
   */
  extendLocks(params: {
    ids: readonly string[];
    serverName: string;
    lockTtlMs: number;
    now: Date;
  }): Promise<string[]>;

  /** Processing jobs whose lock lapsed (`lockedUntil <= now`), oldest lock first. */
  findExpiredLocks(params: { now: Date; limit: number }): Promise<Job[]>;

  /**
   * Scheduled and AwaitingRetry jobs with `runAt <= now` become Enqueued (history:
   * `promotedEntry`), at most `limit`. Returns how many. Emits `ready`.
   */
  promoteDue(params: { now: Date; limit: number }): Promise<number>;

  /** Hard-delete at most `limit` jobs whose `expiresAt <= now`. Returns how many. */
  purgeExpired(params: { now: Date; limit: number }): Promise<number>;

  /**
   * Hard-delete at most `limit` final jobs (Succeeded, Failed, Deleted) whose `finishedAt` is
   * before `before`, whatever their retention. Live jobs are never touched. Returns how many.
   */
  purgeFinished(params: { before: Date; limit: number }): Promise<number>;

  /** Store progress (0..100) of a job still locked by `serverName`. Returns whether it did. */
  setProgress(params: { id: string; serverName: string; progress: number }): Promise<boolean>;

  /** Create or update a recurring template by name; keeps `createdAt` and `lastTickAt`. */
  upsertRecurring(
    params: {
      template: RecurringTemplateInput;
      now: Date;
    },
  ): Promise<RecurringTemplate>;

  /** One recurring template, or `null`. */
  getRecurring(params: { name: string }): Promise<RecurringTemplate | null>;

  /** All recurring templates, by name. */
  listRecurring(): Promise<RecurringTemplate[]>;

  /** Remove a template. Returns whether it existed. */
  removeRecurring(params: { name: string }): Promise<boolean>;

  /**
   * Claim-and-park a cron tick: atomically, if template `name` exists and its
   * `lastTickAt` is null or earlier than `tickAt`, set `lastTickAt = tickAt` and store
   * `job`; otherwise do nothing. Exactly one of any number of concurrent claimers of
   * the same tick wins. Returns the stored job, or `null` when the claim lost.
   */
  claimCronTick(params: { name: string; tickAt: Date; job: Job; now: Date }): Promise<Job | null>;

  /**
   * Take or renew the named lease for `holder` until `now + ttlMs` if it is free,
   * expired or already held by `holder`. Used to elect one leader for maintenance.
   */
  acquireLease(
    params: { name: string; holder: string; ttlMs: number; now: Date },
  ): Promise<boolean>;

  /** Give up a lease held by `holder` (no-op otherwise). */
  releaseLease(params: { name: string; holder: string }): Promise<void>;

  /**
   * The storage's own clock (Postgres `now()`, Redis `TIME`, the process clock for
   * memory): the one authority that lock expiry, promotion, leases and cron ticks are
   * judged by, so a server whose clock is skewed neither steals live jobs nor runs
   * anything early.
   */
  time(): Promise<Date>;

  /** Record or refresh a running server (its heartbeat). */
  recordServer(params: { server: ServerInfo }): Promise<void>;

  /** Forget a server (graceful stop). */
  removeServer(params: { name: string }): Promise<void>;

  /** Every recorded server, by name. */
  listServers(): Promise<ServerInfo[]>;

  /** Forget servers whose last heartbeat is before `before`. Returns how many. */
  pruneServers(params: { before: Date }): Promise<number>;

  /**
   * One round trip per written batch: add `metrics` deltas to the per-minute history
   * (counts and histograms are summed into existing buckets) and publish `changes`
   * to every subscriber (`activity` signal), in any process, with `omitted` (how many
   * older changes the caller left out) when above 0.
   */
  recordActivity(params: ActivityRecord): Promise<void>;

  /**
   * Metrics history between `from` (inclusive) and `to` (exclusive), summed per
   * bucket at `resolution` over queues and methods unless filtered; oldest first.
   * A returned bucket's `queue` / `method` is the filter given, else `ALL_KEYS` (`"*"`).
   * Buckets already compacted to hours show at their hour's start at minute resolution.
   */
  queryMetrics(params: {
    from: Date;
    to: Date;
    resolution: MetricsResolution;
    queue?: string;
    method?: string;
  }): Promise<MetricsBucket[]>;

  /**
   * Retention of the metrics history: minute buckets older than 7 days are rolled into
   * hour buckets, hour buckets older than 90 days are dropped. Returns how many stored
   * (bucket, queue, method) rows went (a backend-specific count, for logs).
   */
  compactMetrics(params: { now: Date }): Promise<number>;

  /** Pause or resume a recurring template (paused templates claim no ticks). */
  setRecurringPaused(
    params: { name: string; paused: boolean; now: Date },
  ): Promise<RecurringTemplate | null>;

  /**
   * Listen for wake-up and cancel signals (best effort: a missed signal only costs a
   * poll interval). Returns a function that unsubscribes.
   */
  subscribe(listener: (signal: StorageSignal) => void): () => void;

  /** Release connections and timers. Idempotent. */
  close(): Promise<void>;
}
