/**
 * Loading the workers module in the main isolate. The server needs the
 * registry itself (retry policies, timeouts, unknown methods) even when the
 * handlers run on Web Workers, and a module that cannot load must fail
 * `start()` with an error that says which module and why.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import { isWorkerRegistry, type WorkerRegistry } from "../worker.ts";

/**
 * Import the workers module at `href`: its default export when that is a
 * {@link WorkerRegistry}, `null` when it is not; a module that fails to load throws.
 * The one import of user code by URL (main isolate, Web Workers and child processes all
 * load through it), so `deno publish` reports its unanalyzable dynamic import once.
 */
export async function importRegistry(href: string): Promise<WorkerRegistry | null> {
  const mod = await import(href);
  return isWorkerRegistry(mod.default) ? mod.default : null;
}

/** Import `url` and return its default-exported registry, or throw {@link ConfigError}. */
export async function loadRegistry(url: URL): Promise<WorkerRegistry> {
  let registry: WorkerRegistry | null;
  try {
    registry = await importRegistry(url.href);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new ConfigError("workers", `module ${url.href} failed to load: ${msg}`);
  }
  if (!registry) {
    throw new ConfigError(
      "workers",
      `module ${url.href} must default-export a WorkerRegistry ` +
        "(export default new WorkerRegistry().register(...))",
    );
  }
  return registry;
}
