/**
 * Running a child process with its clock really ahead: libfaketime (Debian
 * package `faketime`) preloaded into it. Deno is linked against glibc, so
 * `LD_PRELOAD` reaches its `Date.now()`; timers and `performance.now()` keep
 * their pace (a constant offset). The `faketime` command itself is not used: it
 * forks, so a signal sent to it would not reach the process it runs.
 *
 * @module
 */

const LIBRARY_DIRS = [
  "/usr/lib/x86_64-linux-gnu/faketime",
  "/usr/lib/aarch64-linux-gnu/faketime",
  "/usr/lib/faketime",
  "/usr/local/lib/faketime",
];

/** The env that puts a child's clock `seconds` ahead (negative: behind). */
export function skewedClockEnv(seconds: number): Record<string, string> {
  for (const dir of LIBRARY_DIRS) {
    const lib = `${dir}/libfaketime.so.1`;
    try {
      Deno.statSync(lib);
    } catch {
      continue;
    }
    return { LD_PRELOAD: lib, FAKETIME: `${seconds >= 0 ? "+" : ""}${seconds}s` };
  }
  throw new Error("libfaketime not found: apt-get install faketime");
}
