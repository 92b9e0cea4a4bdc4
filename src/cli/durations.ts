/**
 * Durations as people type them on a command line: `500ms`, `30s`, `5m`, `2h`, `7d`.
 *
 * @module
 */
import { UsageError } from "./io.ts";

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Milliseconds of `text` (a number and a unit: ms, s, m, h, d, w). */
export function parseDuration(text: string, option: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) {
    throw new UsageError(
      `${option}: expected a duration such as 500ms, 30s, 5m, 2h or 7d, got ${
        JSON.stringify(text)
      }`,
    );
  }
  return Math.round(Number(m[1]) * UNIT_MS[m[2]]);
}
