/**
 * Configuration of {@link PostgresStorage}: explicit options first, then environment
 * variables, then defaults; every value checked, with a `ConfigError` naming the option.
 *
 * @module
 */
import type postgres from "postgres";
import { ConfigError } from "../../errors.ts";
import { quoteIdentifier } from "./identifiers.ts";

/** Options of `PostgresStorage.connect`. */
export interface PostgresConfig {
  /** Connection URL. Default: `DATABASE_URL`, else `postgres://postgres@127.0.0.1:5432/postgres`. */
  url?: string;
  /** Pool size, 1..1000. Default: `QML_MAX_CONNECTIONS`, else 10. */
  maxConnections?: number;
  /** Connections opened at connect (pre-warmed), 0..maxConnections. Default: `QML_MIN_CONNECTIONS`, else 1. */
  minConnections?: number;
  /** Time allowed to open a connection, 1..600,000 ms. Default 10,000. */
  connectTimeoutMs?: number;
  /** Server-side `statement_timeout`, 0 (none)..86,400,000 ms. Default 30,000. */
  commandTimeoutMs?: number;
  /** Schema holding qml's tables. Default `"qml"`. */
  schema?: string;
  /** Apply pending migrations at connect. Default: `QML_AUTO_MIGRATE`, else true. */
  autoMigrate?: boolean;
  /** `application_name` reported to Postgres. Default `"qml"`. */
  applicationName?: string;
  /**
   * VACUUM the jobs table after every this many jobs this storage fetched (`0` turns it off; a pool
   * of one connection never does, a pass would hold it):
   * each fetch leaves dead entries in the fetch index until a VACUUM, and autovacuum wakes at
   * most once a minute (see `src/storage/postgres/vacuum.ts`). 0..1,000,000,000. Default 50,000.
   */
  vacuumEveryFetched?: number;
}

/** A fully resolved, validated configuration. */
export interface ResolvedPostgresConfig {
  /** Connection URL. */
  url: string;
  /** Pool size. */
  maxConnections: number;
  /** Connections opened by `connect`. */
  minConnections: number;
  /** Time allowed to open a connection (ms). */
  connectTimeoutMs: number;
  /** `statement_timeout` (ms, 0 = none). */
  commandTimeoutMs: number;
  /** Schema name, unquoted. */
  schema: string;
  /** The schema name, quoted for SQL. */
  schemaIdent: string;
  /** Apply pending migrations at connect. */
  autoMigrate: boolean;
  /** `application_name` of the connections. */
  applicationName: string;
  /** VACUUM the jobs table after this many fetched jobs (0: never). */
  vacuumEveryFetched: number;
}

/** The URL used when neither `url` nor `DATABASE_URL` is given. */
export const DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/postgres";

function env(name: string): string | undefined {
  try {
    const v = Deno.env.get(name);
    return v === undefined || v === "" ? undefined : v;
  } catch {
    // Without --allow-env the environment simply does not configure anything.
    return undefined;
  }
}

function intOption(
  option: string,
  value: number | undefined,
  envName: string | null,
  fallback: number,
  min: number,
  max: number,
): number {
  let v: unknown = value;
  let from = option;
  if (v === undefined && envName) {
    const raw = env(envName);
    if (raw !== undefined) {
      v = /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      from = envName;
    }
  }
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(from, `expected an integer ${min}..${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function boolOption(option: string, value: boolean | undefined, envName: string): boolean {
  if (value !== undefined) {
    if (typeof value !== "boolean") {
      throw new ConfigError(option, `expected true or false, got ${JSON.stringify(value)}`);
    }
    return value;
  }
  const raw = env(envName)?.trim().toLowerCase();
  if (raw === undefined) return true;
  if (["1", "true", "yes", "on"].includes(raw)) return true;
  if (["0", "false", "no", "off"].includes(raw)) return false;
  throw new ConfigError(envName, `expected true/false (or 1/0, yes/no, on/off), got "${raw}"`);
}

/**
 * Resolve and validate a configuration.
 *
 * @example
 * ```ts
 * import { resolveConfig } from "./config.ts";
 * const cfg = resolveConfig({ url: "postgres://localhost/app", schema: "jobs" });
 * console.log(cfg.schemaIdent); // "\"jobs\""
 * ```
 * @throws {ConfigError} naming the first invalid option and its accepted range.
 */
export function resolveConfig(config: PostgresConfig = {}): ResolvedPostgresConfig {
  const url = config.url ?? env("DATABASE_URL") ?? DEFAULT_URL;
  if (typeof url !== "string" || !/^postgres(ql)?:\/\//.test(url)) {
    throw new ConfigError("url", "expected a postgres:// or postgresql:// URL");
  }
  const maxConnections = intOption(
    "maxConnections",
    config.maxConnections,
    "QML_MAX_CONNECTIONS",
    10,
    1,
    1000,
  );
  const minConnections = intOption(
    "minConnections",
    config.minConnections,
    "QML_MIN_CONNECTIONS",
    Math.min(1, maxConnections),
    0,
    maxConnections,
  );
  const connectTimeoutMs = intOption(
    "connectTimeoutMs",
    config.connectTimeoutMs,
    null,
    10_000,
    1,
    600_000,
  );
  const commandTimeoutMs = intOption(
    "commandTimeoutMs",
    config.commandTimeoutMs,
    null,
    30_000,
    0,
    86_400_000,
  );
  const schema = config.schema ?? "qml";
  const schemaIdent = quoteIdentifier(schema, "schema");
  const autoMigrate = boolOption("autoMigrate", config.autoMigrate, "QML_AUTO_MIGRATE");
  const applicationName = config.applicationName ?? "qml";
  if (typeof applicationName !== "string" || applicationName.length > 63) {
    throw new ConfigError("applicationName", "expected a string of at most 63 characters");
  }
  const vacuumEveryFetched = intOption(
    "vacuumEveryFetched",
    config.vacuumEveryFetched,
    null,
    50_000,
    0,
    1_000_000_000,
  );
  return {
    url,
    vacuumEveryFetched,
    maxConnections,
    minConnections,
    connectTimeoutMs,
    commandTimeoutMs,
    schema,
    schemaIdent,
    autoMigrate,
    applicationName,
  };
}

/** postgres.js options for the pool described by `cfg`. */
export function driverOptions(
  cfg: ResolvedPostgresConfig,
): postgres.Options<Record<string, never>> {
  return {
    max: cfg.maxConnections,
    connect_timeout: Math.max(1, Math.ceil(cfg.connectTimeoutMs / 1000)),
    prepare: true,
    onnotice: () => {},
    connection: {
      application_name: cfg.applicationName,
      // A per-connection startup setting: bounds every statement without a round trip.
      statement_timeout: cfg.commandTimeoutMs,
      // Every hot statement is prepared and its best plan does not depend on the values
      // (index lookups by id, queue, state): planning once instead of per call saves about
      // a third of a small batch's server time.
      plan_cache_mode: "force_generic_plan",
    },
  };
}
