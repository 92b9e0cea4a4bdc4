/**
 * Minimal levelled logging, so servers can be quiet in tests and chatty in
 * production without a dependency.
 *
 * @module
 */

/** Log levels, most verbose first. */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";

/** Where qml writes its log lines. */
export interface Logger {
  /** Log at debug level. */
  debug(msg: string, data?: Record<string, unknown>): void;
  /** Log at info level. */
  info(msg: string, data?: Record<string, unknown>): void;
  /** Log at warn level. */
  warn(msg: string, data?: Record<string, unknown>): void;
  /** Log at error level. */
  error(msg: string, data?: Record<string, unknown>): void;
}

const ORDER: LogLevel[] = ["debug", "info", "warn", "error", "silent"];

/** A logger writing to the console at `level` and above. */
export function consoleLogger(level: LogLevel = "info", prefix = "qml"): Logger {
  const min = ORDER.indexOf(level);
  const make =
    (l: Exclude<LogLevel, "silent">) => (msg: string, data?: Record<string, unknown>) => {
      if (ORDER.indexOf(l) < min) return;
      const line = `[${prefix}] ${l.toUpperCase()} ${msg}`;
      if (data === undefined) console[l](line);
      else console[l](line, data);
    };
  return { debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") };
}

/** Whether `value` is a log level name. */
export function isLogLevel(value: string): value is LogLevel {
  return (ORDER as string[]).includes(value);
}
