/**
 * Deno permissions of a worker whose jobs run in child processes
 * (`isolation: "process"`), and the `deno run` flags they become.
 *
 * @module
 */
import { ConfigError } from "./errors.ts";

/** One permission: granted for everything (`true`), nothing (`false`), or the listed scopes. */
export type PermissionGrant = boolean | readonly string[];

/**
 * What a child process running a worker's jobs may do, as `deno run` flags
 * (`read: ["/data"]` → `--allow-read=/data`). `"inherit"` (the default) grants
 * each permission this process holds unscoped. The registry module itself is
 * always readable.
 */
export type WorkerPermissions = "inherit" | {
  /** `--allow-read`. */
  read?: PermissionGrant;
  /** `--allow-write`. */
  write?: PermissionGrant;
  /** `--allow-net`. */
  net?: PermissionGrant;
  /** `--allow-env`. */
  env?: PermissionGrant;
  /** `--allow-run`. */
  run?: PermissionGrant;
  /** `--allow-sys`. */
  sys?: PermissionGrant;
  /** `--allow-ffi`. */
  ffi?: PermissionGrant;
  /** `--allow-import`. */
  import?: PermissionGrant;
};

const NAMES = ["read", "write", "net", "env", "run", "sys", "ffi", "import"] as const;

/**
 * The `deno run` permission flags for `p`.
 *
 * @throws {ConfigError} for an unknown permission or a scope with a comma.
 */
export function permissionFlags(p: WorkerPermissions | undefined): string[] {
  if (p === undefined || p === "inherit") {
    const out: string[] = [];
    for (const name of NAMES) {
      try {
        if (Deno.permissions.querySync({ name } as Deno.PermissionDescriptor).state === "granted") {
          out.push(`--allow-${name}`);
        }
      } catch {
        // A permission this Deno does not know: not granted.
      }
    }
    return out;
  }
  if (typeof p !== "object" || p === null) {
    throw new ConfigError("permissions", 'expected "inherit" or an object of grants');
  }
  const out: string[] = [];
  for (const [name, grant] of Object.entries(p)) {
    if (!(NAMES as readonly string[]).includes(name)) {
      throw new ConfigError("permissions", `unknown permission "${name}" (${NAMES.join(", ")})`);
    }
    if (grant === true) out.push(`--allow-${name}`);
    else if (Array.isArray(grant) && grant.length > 0) {
      if (grant.some((s) => typeof s !== "string" || s.length === 0 || s.includes(","))) {
        throw new ConfigError(`permissions.${name}`, "expected non-empty scopes without commas");
      }
      out.push(`--allow-${name}=${grant.join(",")}`);
    } else if (grant !== false && !Array.isArray(grant)) {
      throw new ConfigError(`permissions.${name}`, "expected true, false or a list of scopes");
    }
  }
  return out;
}
