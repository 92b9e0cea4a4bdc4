/**
 * Telling whether a terminated Web Worker's thread really ended. Deno gives
 * no exit event for a terminated worker, and on Deno 2.9 `terminate()` does not
 * stop one stuck in synchronous code (denoland/deno#14003, reproduced on 2.9.4
 * in denoland/deno#35657 and here on 2.9.6). On Linux each worker is an OS
 * thread listed in /proc/self/task, created synchronously by `new Worker`:
 * the thread id that appears across that call is the worker's, and it leaves
 * the list when the thread ends.
 *
 * Deno reads /proc only with `--allow-all`. Where it cannot be read (other
 * systems, narrower permissions) {@link newThread} returns undefined and the
 * pool judges by its abort message instead (worker_pool.ts): a thread that has
 * not answered it is stuck, and its end cannot be observed.
 *
 * @module
 */

const TASKS = "/proc/self/task";

let procReadable: boolean | undefined;

// Deno reads /proc only with --allow-all; without it, trying could even prompt on a terminal.
function allGranted(): boolean {
  const names = ["read", "write", "net", "env", "run", "sys", "ffi"] as const;
  try {
    return names.every((name) => Deno.permissions.querySync({ name }).state === "granted");
  } catch {
    return false;
  }
}

/** This process's thread ids, or undefined when they cannot be read. */
export function threadIds(): Set<string> | undefined {
  procReadable ??= allGranted();
  if (!procReadable) return undefined;
  try {
    const out = new Set<string>();
    for (const e of Deno.readDirSync(TASKS)) out.add(e.name);
    return out;
  } catch {
    return undefined;
  }
}

/** Run `create` and return the id of the one thread it started (if exactly one). */
export function newThread<T>(create: () => T): { value: T; tid: string | undefined } {
  const before = threadIds();
  const value = create();
  if (!before) return { value, tid: undefined };
  const added = [...threadIds() ?? []].filter((t) => !before.has(t));
  return { value, tid: added.length === 1 ? added[0] : undefined };
}

/** Whether thread `tid` of this process still exists. */
export function threadAlive(tid: string): boolean {
  try {
    Deno.statSync(`${TASKS}/${tid}`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Watch thread `tid` after its worker was terminated: if it is still there
 * after `checkMs`, call `onStuck`, then poll every `pollMs` and call
 * `onExit` once it is gone. Timers do not keep the process alive. Returns a
 * function that stops watching.
 */
export function watchTermination(
  tid: string,
  on: { onStuck(): void; onExit(): void },
  checkMs = 500,
  pollMs = 1_000,
): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const later = (fn: () => void, ms: number) => {
    timer = setTimeout(fn, ms);
    Deno.unrefTimer(timer as unknown as number);
  };
  const poll = () => threadAlive(tid) ? later(poll, pollMs) : on.onExit();
  later(() => {
    if (!threadAlive(tid)) return on.onExit();
    on.onStuck();
    poll();
  }, checkMs);
  return () => clearTimeout(timer);
}
