/**
 * Default server names: unique per process and readable in job histories.
 *
 * @module
 */

/** The host name when `--allow-sys` grants it, else `qml`. */
export function hostName(): string {
  try {
    if (Deno.permissions.querySync({ name: "sys", kind: "hostname" }).state === "granted") {
      return Deno.hostname().replace(/[^\w.\-]/g, "_").slice(0, 100) || "qml";
    }
  } catch {
    // No Deno namespace or no permission API: keep the neutral name.
  }
  return "qml";
}

/** `host:pid:xxxxxx` — host only when `--allow-sys` grants it, else `qml`. */
export function defaultServerName(): string {
  const host = hostName();
  const rand = crypto.getRandomValues(new Uint8Array(3));
  const hex = Array.from(rand, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${host}:${Deno.pid}:${hex}`;
}
