/**
 * Clock plugin: measures the server's {@link StorageClock} again every
 * {@link CLOCK_SYNC_INTERVAL_MS}, so lock expiry, promotion, leases and cron
 * ticks keep being judged by the storage's time, and warns while this process's
 * own clock is off by more than a second.
 *
 * @module
 */
import { CLOCK_SYNC_INTERVAL_MS, type StorageClock } from "../storage_clock.ts";
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

/** Offsets beyond this are worth a warning (ms). */
const WARN_OFFSET_MS = 1_000;

/** Measure `clock` now; log when the process clock is far off. Never throws. */
export async function syncClock(ctx: PluginContext, clock: StorageClock): Promise<void> {
  try {
    await clock.sync();
  } catch (err) {
    ctx.logger.warn("could not read the storage's clock; keeping the last measurement", {
      error: err instanceof Error ? err.message : String(err),
    });
    return;
  }
  const offsetMs = clock.offsetMs ?? 0;
  if (Math.abs(offsetMs) > WARN_OFFSET_MS) {
    ctx.logger.warn(
      `this process's clock is ${Math.abs(offsetMs)} ms ${
        offsetMs > 0 ? "behind" : "ahead of"
      } the storage's; jobs are timed by the storage's clock`,
      { offsetMs },
    );
  }
}

/** The clock plugin (not leased: every server keeps its own clock measured). */
export function clockSyncPlugin(
  ctx: PluginContext,
  opts: { clock: StorageClock; intervalMs?: number; firstTickMs?: number },
): MaintenancePlugin {
  return {
    name: "clock",
    intervalMs: opts.intervalMs ?? CLOCK_SYNC_INTERVAL_MS,
    firstTickMs: opts.firstTickMs,
    leased: false,
    async tick() {
      await syncClock(ctx, opts.clock);
      return 0;
    },
  };
}
