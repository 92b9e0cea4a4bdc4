/**
 * Security headers of every page and asset: a strict Content-Security-Policy
 * (scripts and styles only from the dashboard itself, so injected markup could
 * not run even if it got in), no framing, no MIME sniffing.
 *
 * @module
 */

/** Headers set on every UI response. */
export function securityHeaders(): Record<string, string> {
  return {
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
      "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; " +
      "frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
  };
}
