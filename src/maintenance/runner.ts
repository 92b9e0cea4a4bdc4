/**
 * Runs maintenance plugins on their timers: one tick at a time per plugin,
 * errors logged and retried on the next tick (a database that goes away must
 * not crash the server), leases taken for leased plugins.
 *
 * At start every plugin is due at once. Their first ticks run one after another, in the
 * order given, rather than together: on a pooled database each concurrent call would open
 * a connection of its own for a millisecond of work, beside the fetch path's — and a
 * backend start is the dearest thing a server does at start-up (measured: ~20 ms of the
 * database's CPU each, `pgbench -C`). A first tick that takes long (a sweep of what piled
 * up while no server ran) holds the next one back for {@link FIRST_TICK_WAIT_MS} at most.
 * After its first tick each plugin goes on its own timer.
 *
 * @module
 */
import type { MaintenancePlugin, PluginContext } from "./plugin.ts";

/** Longest a plugin's first tick holds back the first tick of the plugin after it. */
export const FIRST_TICK_WAIT_MS = 1_000;

/** Runs a set of plugins until stopped. */
export class MaintenanceRunner {
  readonly #ctx: PluginContext;
  readonly #plugins: MaintenancePlugin[];
  readonly #firstTickWaitMs: number;
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #running = new Set<Promise<unknown>>();
  #stopped = true;

  /** Create a runner for `plugins` (`firstTickWaitMs`: see {@link FIRST_TICK_WAIT_MS}). */
  constructor(
    ctx: PluginContext,
    plugins: MaintenancePlugin[],
    opts: { firstTickWaitMs?: number } = {},
  ) {
    this.#ctx = ctx;
    this.#plugins = plugins;
    this.#firstTickWaitMs = opts.firstTickWaitMs ?? FIRST_TICK_WAIT_MS;
  }

  /**
   * Run every plugin's first tick, one after another (a plugin's `firstTickMs` puts its
   * first tick on its timer instead), then keep each on its own timer.
   */
  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const first = (async () => {
      for (const p of this.#plugins) {
        if (this.#stopped) return;
        if (p.firstTickMs !== undefined) {
          this.#schedule(p, p.firstTickMs);
          continue;
        }
        // Its timer starts when its tick ends, however long the next plugin waited for it.
        const tick = this.#track(this.#guarded(p)).then(() => this.#schedule(p, p.intervalMs));
        let timer: ReturnType<typeof setTimeout> | undefined;
        const waited = new Promise<void>((r) => timer = setTimeout(r, this.#firstTickWaitMs));
        await Promise.race([tick, waited]);
        clearTimeout(timer);
      }
    })();
    this.#track(first);
  }

  /** Run one tick of the plugin named `name` now (tests, admin tools). */
  async runOnce(name: string): Promise<number> {
    const p = this.#plugins.find((x) => x.name === name);
    if (!p) throw new Error(`no maintenance plugin named ${name}`);
    return await this.#tick(p);
  }

  /** Stop the timers and wait for ticks in progress; release held leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await Promise.allSettled([...this.#running]);
    await Promise.allSettled(
      this.#plugins.filter((p) => p.leased).map((p) =>
        this.#ctx.storage.releaseLease({ name: leaseName(p), holder: this.#ctx.serverName })
      ),
    );
  }

  #schedule(p: MaintenancePlugin, delay: number): void {
    if (this.#stopped) return;
    this.#timers.set(
      p.name,
      setTimeout(async () => {
        await this.#track(this.#guarded(p));
        this.#schedule(p, p.intervalMs);
      }, delay),
    );
  }

  /** One tick whose failure is logged, not thrown: it is retried on the next tick. */
  #guarded(p: MaintenancePlugin): Promise<number> {
    return this.#tick(p).catch((err) => {
      this.#ctx.logger.warn(`maintenance ${p.name} failed; retrying next tick`, {
        error: err instanceof Error ? err.message : String(err),
      });
      return 0;
    });
  }

  /** `run`, awaited by {@link stop} while it lasts. */
  async #track(run: Promise<unknown>): Promise<void> {
    this.#running.add(run);
    await run;
    this.#running.delete(run);
  }

  async #tick(p: MaintenancePlugin): Promise<number> {
    const now = this.#ctx.clock.now();
    if (p.leased) {
      const leader = await this.#ctx.storage.acquireLease({
        name: leaseName(p),
        holder: this.#ctx.serverName,
        // Three missed ticks before another server takes over.
        ttlMs: Math.max(3 * p.intervalMs, 1_000),
        now,
      });
      if (!leader) return 0;
    }
    const n = await p.tick(now);
    if (n > 0) this.#ctx.logger.debug(`maintenance ${p.name}: ${n}`);
    return n;
  }
}

function leaseName(p: MaintenancePlugin): string {
  return `maintenance:${p.name}`;
}
