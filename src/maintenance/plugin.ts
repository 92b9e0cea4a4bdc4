/**
 * Maintenance plugins: each periodic service (scheduler, rescuer, retention,
 * cron) is a timer, an optional leader lease, and one storage call. They hold
 * no SQL or Lua of their own, so they work unchanged on every backend.
 *
 * @module
 */
import type { Clock } from "../clock.ts";
import type { Logger } from "../logger.ts";
import type { Storage } from "../storage/storage.ts";

/** What every plugin gets from the server that runs it. */
export interface PluginContext {
  storage: Storage;
  clock: Clock;
  serverName: string;
  logger: Logger;
}

/** A periodic maintenance service. */
export interface MaintenancePlugin {
  /** Short name, also the lease name when `leased`. */
  readonly name: string;
  /** Time between ticks. */
  readonly intervalMs: number;
  /**
   * Time from the runner's start to the first tick. Default: none — the first tick runs at
   * start, after the first ticks of the plugins before it.
   */
  readonly firstTickMs?: number;
  /** When true, only the holder of the plugin's lease runs a tick (one server at a time). */
  readonly leased: boolean;
  /** Do one round of work. Returns how many items it handled (for logs and tests). */
  tick(now: Date): Promise<number>;
}
