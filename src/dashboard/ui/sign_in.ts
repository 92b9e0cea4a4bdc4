/**
 * The sign-in page shown to a browser without a token when the dashboard uses
 * token auth: it stores the token in a same-site cookie and reloads. Static
 * text only; the token never appears in a URL.
 *
 * @module
 */
import { TOKEN_COOKIE } from "../auth.ts";
import { securityHeaders } from "./headers.ts";

const SCRIPT = `
document.getElementById("f").addEventListener("submit", (e) => {
  e.preventDefault();
  const base = document.documentElement.dataset.base || "";
  const token = document.getElementById("t").value;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "${TOKEN_COOKIE}=" + encodeURIComponent(token) + "; Path=" + (base || "/") +
    "; SameSite=Strict" + secure;
  location.reload();
});`;

/** The sign-in page response (401). */
export function signInPage(base: string): Response {
  const html = `<!doctype html><html lang="en" data-base="${escapeAttr(base)}"><head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>qml dashboard — sign in</title><link rel="stylesheet" href="${
    escapeAttr(base)
  }/assets/app.css">
</head><body class="signin"><form id="f" class="card"><h1>qml dashboard</h1>
<label>Access token <input id="t" type="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Sign in</button></form>
<script type="module" src="${escapeAttr(base)}/assets/sign_in.js"></script></body></html>`;
  return new Response(html, {
    status: 401,
    headers: { "content-type": "text/html; charset=utf-8", ...securityHeaders() },
  });
}

/** The sign-in page's script. */
export const SIGN_IN_JS: string = SCRIPT;

/** Escape a value for an HTML attribute in double quotes. */
export function escapeAttr(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(
    />/g,
    "&gt;",
  );
}
