/**
 * The Redis side of maintenance: rescue candidates, promotion of due jobs, retention purges,
 * and the leases that keep one server at a time on each of them. One Lua script per verb.
 *
 * @module
 */
import type { Job } from "../../job.ts";
import { promotedEntry } from "../../transitions.ts";
import { decodeJobs, encodeEntry } from "./codec.ts";
import type { RedisKeys } from "./keys.ts";
import type { Script } from "./scripts.ts";

// Ids purgeFinished inspects per (queue, final state) set, per job it may delete: leaves
// room for recently finished jobs among old ids while keeping one call short.
const PURGE_SCAN_FACTOR = 4;

/** Processing jobs whose lock lapsed before `now`. */
export async function findExpiredLocks(
  script: Script,
  keys: RedisKeys,
  p: { now: Date; limit: number },
): Promise<Job[]> {
  if (p.limit <= 0) return [];
  return decodeJobs(await script<string>("findExpired", [keys.base], [p.now.getTime(), p.limit]));
}

/** Move due Scheduled / AwaitingRetry jobs to Enqueued; how many moved. */
export function promoteDue(
  script: Script,
  keys: RedisKeys,
  p: { now: Date; limit: number },
): Promise<number> {
  if (p.limit <= 0) return Promise.resolve(0);
  return script<number>("promoteDue", [keys.base], [
    p.now.getTime(),
    p.limit,
    encodeEntry(promotedEntry(p.now)),
  ]);
}

/** Delete final jobs whose expiry passed; how many. */
export function purgeExpired(
  script: Script,
  keys: RedisKeys,
  p: { now: Date; limit: number },
): Promise<number> {
  if (p.limit <= 0) return Promise.resolve(0);
  return script<number>("purgeExpired", [keys.base], [p.now.getTime(), p.limit]);
}

/** Delete final jobs finished before `before`; how many. */
export function purgeFinished(
  script: Script,
  keys: RedisKeys,
  p: { before: Date; limit: number },
): Promise<number> {
  if (p.limit <= 0) return Promise.resolve(0);
  const limit = Math.trunc(p.limit);
  return script<number>("purgeFinished", [keys.base], [
    p.before.getTime(),
    limit,
    limit * PURGE_SCAN_FACTOR,
  ]);
}

/** Take or renew lease `name` for `holder`; whether it is held now. */
export async function acquireLease(
  script: Script,
  keys: RedisKeys,
  p: { name: string; holder: string; ttlMs: number; now: Date },
): Promise<boolean> {
  const now = p.now.getTime();
  return await script<number>("acquireLease", [keys.lease(p.name)], [
    p.holder,
    now,
    now + p.ttlMs,
  ]) === 1;
}

/** Release lease `name` if `holder` holds it. */
export async function releaseLease(
  script: Script,
  keys: RedisKeys,
  p: { name: string; holder: string },
): Promise<void> {
  await script<number>("releaseLease", [keys.lease(p.name)], [p.holder]);
}
