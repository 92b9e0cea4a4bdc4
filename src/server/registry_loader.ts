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

/** Import `url` and return its default-exported registry, or throw {@link ConfigError}. */
export async function loadRegistry(url: URL): Promise<WorkerRegistry> {
  let mod: { default?: unknown };
  try {
    mod = await import(url.href);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new ConfigError("workers", `module ${url.href} failed to load: ${msg}`);
  }
  if (!isWorkerRegistry(mod.default)) {
    throw new ConfigError(
      "workers",
      `module ${url.href} must default-export a WorkerRegistry ` +
        "(export default new WorkerRegistry().register(...))",
    );
  }
  return mod.default;
}
