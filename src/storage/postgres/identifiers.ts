/**
 * SQL identifiers built from user configuration. Only names matching a strict pattern are
 * accepted, and they are always quoted, so a schema name can never inject SQL.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";

/** Lower-case letters, digits and `_`, not starting with a digit, at most 63 bytes. */
export const IDENTIFIER_PATTERN: RegExp = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Check `name` against {@link IDENTIFIER_PATTERN} and return it quoted.
 *
 * @example
 * ```ts
 * import { quoteIdentifier } from "./identifiers.ts";
 * quoteIdentifier("qml", "schema"); // "\"qml\""
 * ```
 * @throws {ConfigError} naming `option` when the name is not acceptable.
 */
export function quoteIdentifier(name: string, option: string): string {
  if (typeof name !== "string" || !IDENTIFIER_PATTERN.test(name)) {
    throw new ConfigError(
      option,
      `expected 1..63 characters of a-z, 0-9 and _, not starting with a digit; got ${
        JSON.stringify(name)
      }`,
    );
  }
  return `"${name}"`;
}

/** The NOTIFY channel of a schema (one per schema, so test schemas never wake each other). */
export function channelName(schema: string): string {
  return `qml_${schema}`.slice(0, 63);
}
