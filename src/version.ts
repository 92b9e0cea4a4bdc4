/**
 * The qml version, as servers record it for the dashboard.
 *
 * @module
 */

/** This package's version (kept equal to `version` in deno.json). */
export const QML_VERSION = "0.1.0";
