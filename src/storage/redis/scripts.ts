/**
 * The Lua scripts, embedded as text and registered with ioredis's
 * `defineCommand`: each call is one EVALSHA; a connection's first call (and any
 * call answered NOSCRIPT, e.g. after SCRIPT FLUSH or a failover) falls back to
 * EVAL, which also loads the script. `_lib.lua` is prepended to the scripts
 * that use its helpers.
 *
 * @module
 */
import lib from "./lua/_lib.lua" with { type: "text" };
import acquireLease from "./lua/acquire_lease.lua" with { type: "text" };
import claimCronTick from "./lua/claim_cron_tick.lua" with { type: "text" };
import counts from "./lua/counts.lua" with { type: "text" };
import enqueue from "./lua/enqueue.lua" with { type: "text" };
import extendLocks from "./lua/extend_locks.lua" with { type: "text" };
import fetchAndLock from "./lua/fetch_and_lock.lua" with { type: "text" };
import findExpired from "./lua/find_expired.lua" with { type: "text" };
import getRecurring from "./lua/get_recurring.lua" with { type: "text" };
import getJobs from "./lua/get_jobs.lua" with { type: "text" };
import listJobs from "./lua/list_jobs.lua" with { type: "text" };
import oldestReady from "./lua/oldest_ready.lua" with { type: "text" };
import promoteDue from "./lua/promote_due.lua" with { type: "text" };
import purgeExpired from "./lua/purge_expired.lua" with { type: "text" };
import purgeFinished from "./lua/purge_finished.lua" with { type: "text" };
import releaseLease from "./lua/release_lease.lua" with { type: "text" };
import removeRecurring from "./lua/remove_recurring.lua" with { type: "text" };
import setProgress from "./lua/set_progress.lua" with { type: "text" };
import transition from "./lua/transition.lua" with { type: "text" };
import upsertRecurring from "./lua/upsert_recurring.lua" with { type: "text" };
import compactMetrics from "./lua/compact_metrics.lua" with { type: "text" };
import queryMetrics from "./lua/query_metrics.lua" with { type: "text" };
import recordActivity from "./lua/record_activity.lua" with { type: "text" };
import recordServer from "./lua/record_server.lua" with { type: "text" };
import removeServers from "./lua/remove_servers.lua" with { type: "text" };
import setRecurringPaused from "./lua/set_recurring_paused.lua" with { type: "text" };
import type { RedisClient } from "./client.ts";

/** Script name → Lua source (without the shared library). */
export const SCRIPT_SOURCES = {
  compactMetrics,
  queryMetrics,
  recordActivity,
  recordServer,
  removeServers,
  setRecurringPaused,
  acquireLease,
  claimCronTick,
  counts,
  enqueue,
  extendLocks,
  fetchAndLock,
  findExpired,
  getJobs,
  getRecurring,
  listJobs,
  oldestReady,
  promoteDue,
  purgeExpired,
  purgeFinished,
  releaseLease,
  removeRecurring,
  setProgress,
  transition,
  upsertRecurring,
} as const;

/** The name of one script. */
export type ScriptName = keyof typeof SCRIPT_SOURCES;

/** The shared Lua library prepended to every script. */
export const SCRIPT_LIB: string = lib;

// Commands are registered under a prefixed name so they cannot shadow a real
// ioredis method.
const commandName = (name: ScriptName) => `qml_${name}`;

// Scripts that use the helpers of `_lib.lua`. The others run without it: its
// top-level definitions cost about 1.5 µs per call even when unused.
const USES_LIB: ReadonlySet<ScriptName> = new Set<ScriptName>([
  "claimCronTick",
  "enqueue",
  "fetchAndLock",
  "findExpired",
  "getJobs",
  "promoteDue",
  "transition",
]);

/** The full Lua text of script `name`, as sent to Redis. */
function scriptText(name: ScriptName): string {
  const src = SCRIPT_SOURCES[name];
  return USES_LIB.has(name) ? `${lib}\n${src}` : src;
}

/** Register every script on `client` (a Redis or a Cluster). */
export function defineScripts(client: RedisClient): void {
  for (const name of Object.keys(SCRIPT_SOURCES) as ScriptName[]) {
    client.defineCommand(commandName(name), { lua: scriptText(name) });
  }
}

type ScriptArg = string | number;

/** Runs one script with the storage's deadline and error wrapping (what the verb modules take). */
export type Script = <T>(name: ScriptName, keys: string[], args: ScriptArg[]) => Promise<T>;

/** Run script `name` on a client with {@link defineScripts} applied. */
export function runScript<T>(
  target: RedisClient,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArg[],
): Promise<T> {
  // deno-lint-ignore no-explicit-any
  const fn = (target as any)[commandName(name)];
  // ioredis flattens array arguments, so large batches are never spread onto the call stack.
  return fn.call(target, keys.length, keys, args);
}
