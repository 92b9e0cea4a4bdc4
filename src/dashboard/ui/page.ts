/**
 * The dashboard's single HTML page: a shell the script fills in.
 *
 * @module
 */
import { escapeAttr } from "./sign_in.ts";

/** The page for a dashboard mounted at `base`. */
export function pageHtml(o: { base: string; readOnly: boolean }): string {
  const b = escapeAttr(o.base);
  return `<!doctype html>
<html lang="en" data-base="${b}" data-readonly="${o.readOnly ? "1" : "0"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>qml dashboard</title>
<link rel="stylesheet" href="${b}/assets/app.css">
<script type="module" src="${b}/assets/app.js"></script>
</head>
<body>
<header class="top">
  <a class="brand" href="#/">qml</a>
  <nav>
    <a href="#/" data-nav="overview">Overview</a>
    <a href="#/jobs" data-nav="jobs">Jobs</a>
    <a href="#/recurring" data-nav="recurring">Recurring</a>
    <a href="#/servers" data-nav="servers">Servers</a>
  </nav>
  <span class="spacer"></span>
  <span id="live" class="live" title="Live updates">connecting…</span>
  <button id="theme" class="ghost" type="button" title="Toggle dark / light">◐</button>
</header>
<main id="main" aria-live="polite"></main>
<div id="toast" class="toast" hidden></div>
</body>
</html>`;
}
