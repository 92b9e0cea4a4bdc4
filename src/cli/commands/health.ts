/**
 * `qml health`: is the storage reachable (and, for SQL backends, fully
 * migrated)? Exit 0 when healthy, 1 otherwise — a container readiness probe.
 *
 * @module
 */
import { type GlobalOptions, withStorage } from "../context.ts";
import { emit, type Io } from "../io.ts";

/** What `qml health` reports. */
export interface HealthReport {
  /** Reachable (and migrated, where the backend has a schema). */
  ok: boolean;
  /** Backend name. */
  storage: string;
  /** Round trip of one storage call, in ms. */
  latencyMs: number;
  /** Why `ok` is false. */
  error?: string;
}

interface WithHealth {
  healthCheck(): Promise<{ ok: boolean; error?: string }>;
}

/** `qml health`. */
export async function health(io: Io, o: GlobalOptions): Promise<number> {
  const report = await withStorage(o, async (storage): Promise<HealthReport> => {
    const started = performance.now();
    await storage.time();
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const check = (storage as Partial<WithHealth>).healthCheck;
    if (typeof check !== "function") return { ok: true, storage: storage.kind, latencyMs };
    const h = await check.call(storage);
    return { ok: h.ok, storage: storage.kind, latencyMs, ...(h.error ? { error: h.error } : {}) };
  }, { autoMigrate: false });
  emit(io, !!o.json, report, () => [
    `${report.ok ? "ok" : "unhealthy"}: ${report.storage} in ${report.latencyMs} ms${
      report.error ? ` (${report.error})` : ""
    }`,
  ]);
  return report.ok ? 0 : 1;
}
