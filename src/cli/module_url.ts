/**
 * Module locations given on the command line: a path (relative to the current
 * directory) or a URL.
 *
 * @module
 */

/** The URL of the module at `pathOrUrl`. */
export function moduleUrl(pathOrUrl: string): URL {
  if (/^(file|https?|jsr|npm):/.test(pathOrUrl)) return new URL(pathOrUrl);
  return new URL(pathOrUrl, `file://${Deno.cwd()}/`);
}
