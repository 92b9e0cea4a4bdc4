/**
 * The server's data path, built in the order jobs flow through it: the fetch
 * stage takes slots and starts jobs on the dispatcher, the executor runs them,
 * the dispatcher decides each end (`outcome.ts`), moves its job from a run slot
 * to the write-back (`slots.ts`) and hands it to the completion batcher, whose
 * written batches go on to events and activity and free their write-back, which
 * wakes the fetch loop. Each stage only hands its output to the next one.
 *
 * @module
 */
import { StorageError } from "../errors.ts";
import type { EventBus } from "../events.ts";
import { type Job, toJobError } from "../job.ts";
import { type RetentionTtls, retentionTtls, type TransitionItem } from "../transitions.ts";
import type { WorkerRegistry } from "../worker.ts";
import { ActivityRecorder } from "./activity_recorder.ts";
import { CompletionBatcher, DEFAULT_MAX_BATCH } from "./completion_batcher.ts";
import type { ServerConfig } from "./config.ts";
import { Dispatcher, type Run } from "./dispatcher.ts";
import { JobEvents } from "./job_events.ts";
import { decideItem, RELEASE_SHUTDOWN } from "./outcome.ts";
import { ProgressThrottle } from "./progress.ts";
import { makeExecutor } from "./executors.ts";
import type { RoutedExecutor } from "./routed_executor.ts";
import { Slots, writeBackSize } from "./slots.ts";

/** The stages of a running server's data path. */
export interface Pipeline {
  /** Run slots and the write-back of unwritten results (back-pressure). */
  slots: Slots;
  /** Runs and decides jobs. */
  dispatcher: Dispatcher;
  /** Runs handlers (threads, inline or child processes, by worker). */
  executor: RoutedExecutor;
  /** Writes decided transitions. */
  batcher: CompletionBatcher<Run>;
  /** Writes progress. */
  progress: ProgressThrottle;
  /** Records dashboard activity. */
  activity: ActivityRecorder;
  /** Take up fetched jobs: start them, or (`running` false) hand them back. */
  accept(jobs: Job[], running: boolean): void;
  /** Ids of every job whose lock the server holds (running, or result not yet written). */
  held(): string[];
  /** Tell the batcher whether the fetch stage is busy (small writes wait while it is). */
  watchFetch(busy: () => boolean): void;
}

/** Build the data path of a server (nothing runs until the executor starts). */
export function buildPipeline(
  cfg: ServerConfig,
  registry: WorkerRegistry,
  events: EventBus,
): Pipeline {
  const ttls = retentionTtls(cfg.succeededTtlMs, cfg.failedTtlMs);
  const writeBack = writeBackSize(cfg.concurrency, cfg.storage.commitPerWrite);
  const slots = new Slots(cfg.concurrency, writeBack);
  const jobEvents = new JobEvents(events, cfg.serverName);
  const activity = new ActivityRecorder({ storage: cfg.storage, logger: cfg.logger });
  const progress = new ProgressThrottle(cfg, events);
  let fetchBusy = () => false;
  const batcher = new CompletionBatcher<Run>({
    storage: cfg.storage,
    clock: cfg.clock,
    logger: cfg.logger,
    poisoned: (item, run, err) => poisonedItem(cfg, ttls, item, run, err),
    // What waits is bounded by the write-back; one write may carry all of it.
    maxBatch: Math.min(DEFAULT_MAX_BATCH, writeBack),
    // Half the write-back: the other half keeps fetching while this write is out. Only where
    // a write costs a commit of its own (on Redis, waiting measured 0.9x of sending at once).
    minBatch: cfg.storage.commitPerWrite
      ? Math.min(DEFAULT_MAX_BATCH, Math.ceil(writeBack / 2))
      : 1,
    busy: () => fetchBusy(),
    onWritten: (batch) => {
      jobEvents.written(batch);
      activity.written(batch);
      slots.written(batch.items.length);
    },
  });
  const dispatcher = new Dispatcher({
    registry,
    serverName: cfg.serverName,
    ttls,
    jobTimeoutMs: cfg.jobTimeoutMs,
    timeoutGraceMs: cfg.timeoutGraceMs,
    clock: cfg.clock,
    logger: cfg.logger,
    output: {
      settled: (item, run) => {
        progress.forget(run.job.id);
        slots.settled(1);
        batcher.add(item, run);
      },
      dropped: (run) => {
        progress.forget(run.job.id);
        slots.dropped(1);
      },
      progress: (job, percent) => progress.report(job, percent),
    },
  });
  const executor = makeExecutor(cfg, registry, dispatcher.hooks, events);
  dispatcher.use(executor);
  return {
    slots,
    dispatcher,
    executor,
    batcher,
    progress,
    activity,
    accept(jobs, running) {
      slots.take(jobs.length);
      if (running) {
        // Announced first: an inline handler may report progress before start() returns.
        jobEvents.started(jobs);
        activity.started(jobs);
        dispatcher.start(jobs);
      } else dispatcher.release(jobs, RELEASE_SHUTDOWN);
    },
    held: () => [...dispatcher.ids(), ...batcher.pendingIds()],
    watchFetch(busy) {
      fetchBusy = busy;
    },
  };
}

// The storage refused a job's transition for itself (a value it cannot store): fail that
// job alone, not retryable, so the rest of its batch is written.
function poisonedItem(
  cfg: ServerConfig,
  ttls: RetentionTtls,
  item: TransitionItem,
  run: Run,
  err: unknown,
): TransitionItem | null {
  const message = err instanceof Error ? err.message : String(err);
  const error = toJobError(
    new StorageError(`its ${item.next.state} transition could not be recorded: ${message}`),
  );
  try {
    return decideItem(
      run.job,
      { type: "failed", error, retryable: false },
      cfg.clock.now(),
      undefined,
      { serverName: cfg.serverName, ttls },
    );
  } catch {
    return null;
  }
}
