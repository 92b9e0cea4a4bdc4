/**
 * What every route of one dashboard shares.
 *
 * @module
 */
import type { JobChange } from "../activity.ts";
import type { JobClient } from "../client.ts";
import type { Clock } from "../clock.ts";
import type { Job } from "../job.ts";
import type { Storage } from "../storage/storage.ts";
import type { DashboardAccess } from "./auth.ts";
import type { StatsOptions } from "./stats.ts";

/** Shared state of one dashboard app. */
export interface DashboardContext {
  /** The storage shown. */
  storage: Storage;
  /** Mutations go through the client, so the state machine decides. */
  client: JobClient;
  /** Time of mutations. */
  clock: Clock;
  /** Stats tuning. */
  stats: StatsOptions;
  /** Tell every dashboard (in any process) what a mutation changed. */
  publish(changes: JobChange[]): Promise<void>;
}

/** Hono variables the dashboard sets per request. */
export type DashboardEnv = { Variables: { access: DashboardAccess } };

/** The change record of a job after a dashboard mutation. */
export function changeOf(job: Job, type: JobChange["type"], at: Date): JobChange {
  return { type, id: job.id, queue: job.queue, method: job.method, state: job.state, at };
}
