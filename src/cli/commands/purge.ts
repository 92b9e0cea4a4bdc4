/**
 * `qml purge --older-than 7d`: hard-delete final jobs (Succeeded, Failed, Deleted) that
 * finished longer ago than a duration, in bounded batches, whatever their retention.
 *
 * @module
 */
import { type GlobalOptions, withStorage } from "../context.ts";
import { parseDuration } from "../durations.ts";
import { emit, type Io, Progress } from "../io.ts";

/** Jobs one `purgeFinished` call may delete: keeps each statement or script short. */
export const PURGE_BATCH = 1_000;

/** Options of `qml purge`. */
export interface PurgeOptions extends GlobalOptions {
  /** How long ago a job must have finished to go, e.g. `7d`. */
  olderThan: string;
}

/** `qml purge`. */
export async function purge(io: Io, o: PurgeOptions): Promise<number> {
  // Parsed before the storage opens, so a typo costs no connection.
  const ageMs = parseDuration(o.olderThan, "--older-than");
  return await withStorage(o, async (storage) => {
    // The storage's clock, not this machine's: finishedAt was stamped by it.
    const before = new Date((await storage.time()).getTime() - ageMs);
    const progress = new Progress(io, "purged");
    let purged = 0;
    for (;;) {
      const n = await storage.purgeFinished({ before, limit: PURGE_BATCH });
      purged += n;
      progress.update(purged);
      if (n < PURGE_BATCH) break;
    }
    progress.done();
    emit(io, !!o.json, { purged }, () => [
      `purged ${purged} job(s) finished before ${before.toISOString()}`,
    ]);
    return 0;
  });
}
