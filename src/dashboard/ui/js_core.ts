/**
 * Browser script, part 1: DOM building (text only — user data is never parsed
 * as HTML), API calls, the live socket, the router and the theme toggle.
 *
 * @module
 */

/** Core of the UI script (plain JS; no template literals so it embeds as is). */
export const JS_CORE: string = String.raw`
"use strict";
const root = document.documentElement;
const BASE = root.dataset.base || "";
const READ_ONLY = root.dataset.readonly === "1";
const STATES = ["Enqueued", "Scheduled", "Processing", "Succeeded", "Failed", "AwaitingRetry", "Deleted"];

// Build elements; every string child becomes a text node, so data is shown, never run.
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, kids);
  return el;
}
function append(el, kids) {
  for (const k of kids) {
    if (k === null || k === undefined || k === false) continue;
    if (Array.isArray(k)) append(el, k);
    else if (k instanceof Node) el.appendChild(k);
    else el.appendChild(document.createTextNode(String(k)));
  }
}
function svg(tag, attrs) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  return el;
}
function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }

function toast(message, isError) {
  const t = document.getElementById("toast");
  t.textContent = message;
  t.className = "toast" + (isError ? " error" : "");
  t.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.hidden = true; }, 3500);
}

async function api(path, options) {
  const init = Object.assign({ credentials: "same-origin", headers: {} }, options || {});
  if (init.body !== undefined && typeof init.body !== "string") {
    init.body = JSON.stringify(init.body);
    init.headers["content-type"] = "application/json";
  }
  const res = await fetch(BASE + path, init);
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((data.error && data.error.message) || ("HTTP " + res.status));
  return data;
}
async function act(label, fn) {
  try { const out = await fn(); toast(label); return out; }
  catch (err) { toast(err.message, true); }
}

function fmtNum(n) { return Number(n || 0).toLocaleString(); }
function fmtTime(iso) {
  if (!iso) return "—";
  const d = new Date(iso);
  return d.toLocaleString();
}
function fmtAge(a) {
  return a < 60 ? a + "s" : a < 3600 ? Math.round(a / 60) + "m" : a < 86400 ? Math.round(a / 3600) + "h" : Math.round(a / 86400) + "d";
}
function ago(iso) {
  if (!iso) return "—";
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  const txt = fmtAge(Math.abs(s));
  return s < 0 ? "in " + txt : txt + " ago";
}
function timeEl(iso) { return h("span", { title: iso ? new Date(iso).toISOString() : "" }, ago(iso)); }
function badge(state) { return h("span", { class: "badge " + state, "data-badge": state }, state); }
function json(v) { try { return JSON.stringify(v, null, 2); } catch (_) { return String(v); } }
function shortJson(v) { const s = json(v === undefined ? null : v).replace(/\s+/g, " "); return s.length > 140 ? s.slice(0, 140) + "…" : s; }

// ---- live socket: the browser never polls; the server pushes ----
const live = { ws: null, view: { kind: "overview" }, handlers: new Set(), stats: null, retry: 500 };
function liveConnect() {
  const el = document.getElementById("live");
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + BASE + "/ws");
  live.ws = ws;
  ws.onopen = () => { live.retry = 500; el.textContent = "live"; el.className = "live on"; liveSend(); };
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    if (msg.type === "stats") live.stats = msg.stats;
    for (const fn of live.handlers) fn(msg);
  };
  ws.onclose = () => {
    el.textContent = "reconnecting…"; el.className = "live off";
    setTimeout(liveConnect, live.retry);
    live.retry = Math.min(live.retry * 2, 10000);
  };
}
function liveSend() {
  if (live.ws && live.ws.readyState === WebSocket.OPEN) {
    live.ws.send(JSON.stringify({ type: "subscribe", view: live.view }));
  }
}
function watch(view, handler) {
  live.view = view;
  live.handlers.clear();
  live.handlers.add(handler);
  liveSend();
}

// A refresh that runs at most once per interval, however many pushes arrive.
function throttle(fn, ms) {
  let last = 0, timer = null;
  return function () {
    const wait = last + ms - Date.now();
    if (wait <= 0) { last = Date.now(); fn(); }
    else if (!timer) timer = setTimeout(() => { timer = null; last = Date.now(); fn(); }, wait);
  };
}

// ---- router ----
const routes = [];
function route(re, render) { routes.push({ re, render }); }
function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q < 0 ? "" : raw.slice(q + 1));
  return { path, params };
}
let renderToken = 0;
async function render() {
  const { path, params } = parseHash();
  const main = clear(document.getElementById("main"));
  const token = ++renderToken;
  for (const a of document.querySelectorAll("nav a")) {
    const n = a.dataset.nav;
    a.classList.toggle("active", n === "overview" ? path === "/" : path.startsWith("/" + n));
  }
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) {
      try { await r.render(main, m, params, () => token === renderToken); }
      catch (err) { if (token === renderToken) main.appendChild(h("div", { class: "card" }, "Error: ", err.message)); }
      return;
    }
  }
  main.appendChild(h("div", { class: "card" }, "Not found"));
}

// ---- theme: follow the OS, unless toggled ----
function applyTheme(t) { if (t) root.dataset.theme = t; else delete root.dataset.theme; }
applyTheme(localStorage.getItem("qml-theme"));
function currentTheme() {
  return root.dataset.theme || (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
}
`;
