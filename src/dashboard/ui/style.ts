/**
 * The dashboard's stylesheet: follows the OS dark/light setting; the toggle
 * sets `data-theme` on the root to override it.
 *
 * @module
 */

/** The stylesheet served at `/assets/app.css`. */
export const APP_CSS: string = `
:root {
  --bg: #f6f7f9; --panel: #ffffff; --fg: #1c2330; --muted: #667085; --line: #e3e6eb;
  --accent: #3b5bdb; --ok: #2f9e44; --bad: #e03131; --warn: #f08c00; --info: #1c7ed6;
  --idle: #868e96; --code: #f1f3f5; --shadow: 0 1px 2px rgba(16, 24, 40, .06);
  color-scheme: light;
}
@media (prefers-color-scheme: dark) {
  :root:not([data-theme="light"]) {
    --bg: #0f1217; --panel: #171b22; --fg: #e6e9ef; --muted: #98a2b3; --line: #283040;
    --accent: #748ffc; --ok: #51cf66; --bad: #ff6b6b; --warn: #fcc419; --info: #4dabf7;
    --idle: #adb5bd; --code: #10141a; --shadow: none; color-scheme: dark;
  }
}
:root[data-theme="dark"] {
  --bg: #0f1217; --panel: #171b22; --fg: #e6e9ef; --muted: #98a2b3; --line: #283040;
  --accent: #748ffc; --ok: #51cf66; --bad: #ff6b6b; --warn: #fcc419; --info: #4dabf7;
  --idle: #adb5bd; --code: #10141a; --shadow: none; color-scheme: dark;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
.top { display: flex; align-items: center; gap: 18px; padding: 10px 22px; background: var(--panel);
  border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
.brand { font-weight: 700; font-size: 18px; color: var(--fg); letter-spacing: .5px; }
nav { display: flex; gap: 4px; }
nav a { color: var(--muted); padding: 6px 10px; border-radius: 6px; }
nav a.active { color: var(--fg); background: var(--bg); }
.spacer { flex: 1; }
.live { font-size: 12px; color: var(--muted); }
.live.on::before { content: "●"; color: var(--ok); margin-right: 5px; }
.live.off::before { content: "●"; color: var(--bad); margin-right: 5px; }
main { padding: 20px 22px 40px; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 20px; margin: 0 0 14px; }
h2 { font-size: 15px; margin: 0 0 10px; color: var(--muted); font-weight: 600; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px;
  box-shadow: var(--shadow); margin-bottom: 16px; }
.grid { display: grid; gap: 12px; }
.counts { grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); margin-bottom: 16px; }
.count { display: block; background: var(--panel); border: 1px solid var(--line); border-radius: 10px;
  padding: 12px 14px; color: var(--fg); box-shadow: var(--shadow); }
.count:hover { text-decoration: none; border-color: var(--accent); }
.count .n { font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
.count .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .4px; }
.count.s-Succeeded .n { color: var(--ok); } .count.s-Failed .n { color: var(--bad); }
.count.s-Processing .n { color: var(--info); } .count.s-AwaitingRetry .n { color: var(--warn); }
.two { grid-template-columns: 2fr 1fr; align-items: start; }
@media (max-width: 900px) { .two { grid-template-columns: 1fr; } }
.row { display: flex; gap: 10px; align-items: center; flex-wrap: wrap; }
.kpis { display: flex; gap: 26px; margin-bottom: 8px; }
.kpi .n { font-size: 20px; font-weight: 650; font-variant-numeric: tabular-nums; }
.kpi .l { color: var(--muted); font-size: 12px; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 7px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; text-transform: uppercase; letter-spacing: .3px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr:hover td { background: color-mix(in srgb, var(--bg) 60%, transparent); }
.mono, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: var(--code); padding: 10px 12px; border-radius: 8px; overflow: auto; max-height: 420px;
  margin: 0; white-space: pre-wrap; word-break: break-word; }
.args { color: var(--muted); max-width: 380px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: color-mix(in srgb, var(--idle) 18%, transparent); color: var(--idle); }
.badge.Succeeded { background: color-mix(in srgb, var(--ok) 18%, transparent); color: var(--ok); }
.badge.Failed { background: color-mix(in srgb, var(--bad) 18%, transparent); color: var(--bad); }
.badge.Processing, .badge.Enqueued { background: color-mix(in srgb, var(--info) 18%, transparent); color: var(--info); }
.badge.AwaitingRetry, .badge.Scheduled { background: color-mix(in srgb, var(--warn) 20%, transparent); color: var(--warn); }
.badge.gone { background: color-mix(in srgb, var(--bad) 18%, transparent); color: var(--bad); }
.badge.alive { background: color-mix(in srgb, var(--ok) 18%, transparent); color: var(--ok); }
button, select, input { font: inherit; color: var(--fg); background: var(--panel); border: 1px solid var(--line);
  border-radius: 7px; padding: 6px 10px; }
button { cursor: pointer; }
button:hover { border-color: var(--accent); }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button.danger { color: var(--bad); }
button.ghost { border-color: transparent; background: transparent; font-size: 16px; }
button.small { padding: 2px 8px; font-size: 12px; }
button:disabled { opacity: .5; cursor: default; }
input[type=search] { min-width: 380px; flex: 1; }
hr.sep { border: 0; border-top: 1px solid var(--line); margin: 12px 0; }
.stack > .card:last-child { margin-bottom: 0; }
.seg button { border-radius: 0; margin-left: -1px; }
.seg button:first-child { border-radius: 7px 0 0 7px; } .seg button:last-child { border-radius: 0 7px 7px 0; }
.seg button.on { background: var(--accent); color: #fff; border-color: var(--accent); }
.chart svg { width: 100%; height: 200px; display: block; }
.chart .ok { fill: var(--ok); } .chart .bad { fill: var(--bad); } .chart .axis { stroke: var(--line); }
.chart text { fill: var(--muted); font-size: 10px; }
.legend { display: flex; gap: 14px; font-size: 12px; color: var(--muted); margin-top: 6px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 5px; }
.legend .lg-ok { background: var(--ok); } .legend .lg-bad { background: var(--bad); }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 18px 0; text-align: center; }
.progress { height: 8px; background: var(--code); border-radius: 999px; overflow: hidden; width: 220px; }
.progress > div { height: 100%; background: var(--accent); transition: width .3s; }
dl.fields { display: grid; grid-template-columns: 150px 1fr; gap: 6px 12px; margin: 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; }
.timeline { list-style: none; padding: 0; margin: 0; border-left: 2px solid var(--line); }
.timeline li { position: relative; padding: 0 0 12px 16px; }
.timeline li::before { content: ""; position: absolute; left: -6px; top: 5px; width: 10px; height: 10px;
  border-radius: 50%; background: var(--panel); border: 2px solid var(--accent); }
.attempt { border-left: 3px solid var(--bad); padding-left: 12px; margin-bottom: 12px; }
.feed { list-style: none; padding: 0; margin: 0; max-height: 260px; overflow: auto; }
.feed li { padding: 3px 0; border-bottom: 1px dashed var(--line); font-size: 12.5px; }
.toast { position: fixed; right: 20px; bottom: 20px; background: var(--fg); color: var(--bg);
  padding: 10px 14px; border-radius: 8px; box-shadow: 0 4px 14px rgba(0,0,0,.2); max-width: 420px; }
.toast.error { background: var(--bad); color: #fff; }
.pager { display: flex; gap: 8px; justify-content: flex-end; margin-top: 10px; align-items: center; }
body.signin { display: grid; place-items: center; min-height: 100vh; }
body.signin form { display: grid; gap: 12px; min-width: 320px; }
body.signin label { display: grid; gap: 6px; }
`;
