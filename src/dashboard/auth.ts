/**
 * Who may do what on the dashboard: a bearer token, HTTP basic credentials,
 * or a resolver of the app's own, each mapped to an access level. Secrets are
 * compared in constant time.
 *
 * @module
 */

/** What a request may do: everything, only read, or nothing. */
export type DashboardAccess = "full" | "read" | "none";

/**
 * How requests are authenticated.
 *
 * - `{ token }`: `Authorization: Bearer <token>` (or the `qml_dashboard_token` cookie the
 *   sign-in page sets, so the browser UI and its WebSocket work too);
 * - `{ basic: { username, password } }`: HTTP basic authentication;
 * - `{ authorize(request) }`: your own decision per request (sessions, SSO, IP lists…).
 */
export type DashboardAuth =
  | { token: string }
  | { basic: { username: string; password: string } }
  | { authorize: (request: Request) => DashboardAccess | Promise<DashboardAccess> };

/** Name of the cookie the sign-in page stores a token in. */
export const TOKEN_COOKIE = "qml_dashboard_token";

const encoder = new TextEncoder();

/**
 * Compare two secrets in time that depends only on their lengths' maximum, never on
 * where they first differ.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  const n = Math.max(x.length, y.length);
  let diff = x.length ^ y.length;
  for (let i = 0; i < n; i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Decide the access of `request` under `auth` (no auth: full access). */
export async function authorize(
  request: Request,
  auth: DashboardAuth | undefined,
): Promise<DashboardAccess> {
  if (!auth) return "full";
  if ("authorize" in auth) {
    const access = await auth.authorize(request);
    return access === "full" || access === "read" ? access : "none";
  }
  if ("token" in auth) {
    const given = bearer(request) ?? cookie(request, TOKEN_COOKIE);
    return given !== null && constantTimeEqual(given, auth.token) ? "full" : "none";
  }
  const creds = basic(request);
  if (!creds) return "none";
  // Both halves are always compared, so timing does not tell which one was wrong.
  const userOk = constantTimeEqual(creds.username, auth.basic.username);
  const passOk = constantTimeEqual(creds.password, auth.basic.password);
  return userOk && passOk ? "full" : "none";
}

/** Check the options early, so a typo fails at start-up rather than locking everyone out. */
export function validateAuth(auth: DashboardAuth | undefined): void {
  if (!auth) return;
  if ("authorize" in auth) {
    if (typeof auth.authorize !== "function") {
      throw new TypeError("auth.authorize: expected a function");
    }
  } else if ("token" in auth) {
    if (typeof auth.token !== "string" || auth.token.length < 8) {
      throw new TypeError("auth.token: expected a string of at least 8 characters");
    }
  } else if ("basic" in auth) {
    const b = auth.basic;
    if (!b || typeof b.username !== "string" || typeof b.password !== "string" || !b.password) {
      throw new TypeError("auth.basic: expected { username, password } strings");
    }
  } else {
    throw new TypeError("auth: expected { token }, { basic } or { authorize }");
  }
}

function bearer(request: Request): string | null {
  const h = request.headers.get("authorization");
  const m = h ? /^Bearer\s+(.+)$/i.exec(h.trim()) : null;
  return m ? m[1] : null;
}

function basic(request: Request): { username: string; password: string } | null {
  const h = request.headers.get("authorization");
  const m = h ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(h.trim()) : null;
  if (!m) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
  const i = decoded.indexOf(":");
  return i < 0 ? null : { username: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

function cookie(request: Request, name: string): string | null {
  const h = request.headers.get("cookie");
  if (!h) return null;
  for (const part of h.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * Cross-site request check for mutations and the socket: a browser always sends
 * `Origin` (or `Sec-Fetch-Site`) on them; it must name this very host. Requests with
 * neither header (curl, servers) pass: they carry no ambient browser credentials.
 */
export function sameOrigin(request: Request, extraOrigins: readonly string[] = []): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site") return false;
  const origin = request.headers.get("origin");
  if (origin === null) return site === null || site === "same-origin" || site === "none";
  if (extraOrigins.includes(origin)) return true;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const host = request.headers.get("host") ?? new URL(request.url).host;
  return originHost === host;
}
