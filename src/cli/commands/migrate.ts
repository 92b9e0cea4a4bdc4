/**
 * `qml migrate [--dry-run]`: apply (or list) pending schema migrations of a SQL
 * backend. Backends without a schema have nothing to migrate.
 *
 * @module
 */
import { type GlobalOptions, withStorage } from "../context.ts";
import { emit, type Io } from "../io.ts";

/** Options of `qml migrate`. */
export interface MigrateOptions extends GlobalOptions {
  /** List pending migrations without applying them. */
  dryRun?: boolean;
}

/** A storage with versioned migrations (Postgres, SQLite). */
interface Migratable {
  pendingMigrations(): Promise<string[]>;
  migrate(): Promise<unknown>;
}

function isMigratable(s: unknown): s is Migratable {
  const m = s as Partial<Migratable>;
  return typeof m.pendingMigrations === "function" && typeof m.migrate === "function";
}

/** `qml migrate`. */
export async function migrate(io: Io, o: MigrateOptions): Promise<number> {
  return await withStorage(o, async (storage) => {
    if (!isMigratable(storage)) {
      emit(io, !!o.json, { storage: storage.kind, pending: [], applied: [] }, () => [
        `${storage.kind} storage has no schema migrations`,
      ]);
      return 0;
    }
    const pending = await storage.pendingMigrations();
    if (o.dryRun || pending.length === 0) {
      emit(
        io,
        !!o.json,
        { storage: storage.kind, pending, applied: [] },
        () =>
          pending.length === 0
            ? ["schema is up to date"]
            : [`${pending.length} pending migration(s):`, ...pending.map((m) => `  ${m}`)],
      );
      return 0;
    }
    await storage.migrate();
    emit(io, !!o.json, { storage: storage.kind, pending: [], applied: pending }, () => [
      `applied ${pending.length} migration(s):`,
      ...pending.map((m) => `  ${m}`),
    ]);
    return 0;
  }, { autoMigrate: false });
}
