/** Polling helpers: tests wait for conditions, never for fixed times. */

/** Resolve once `cond()` is truthy; reject after `timeoutMs` naming `what`. */
export async function waitUntil(
  cond: () => boolean | Promise<boolean>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (!(await cond())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${opts.what ?? "condition"}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 5));
  }
}
