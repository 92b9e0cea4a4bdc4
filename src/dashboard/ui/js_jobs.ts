/**
 * Browser script, part 3: the job list (filters, search, paging, bulk) and the
 * job detail (args, result, errors per attempt, history, live progress).
 *
 * @module
 */

import { SEARCH_SCAN_LIMIT } from "../../storage/storage.ts";

// 10000 → "10,000". Not `toLocaleString`: at module load that pulls in ICU's locale data,
// ~7 MiB of resident memory in every process that imports the package (every job server).
function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Job views of the UI script. */
export const JS_JOBS: string = String.raw`
const FILTER_FIELDS = ["state", "queue", "method", "search"];
route(/^\/jobs$/, async (main, _m, params, current) => {
  const filter = {};
  for (const f of FILTER_FIELDS) if (params.get(f)) filter[f] = params.get(f);
  const cursors = [null];
  const form = h("form", { class: "row", id: "filters", onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const f of FILTER_FIELDS) { const v = form.elements[f].value.trim(); if (v) q.set(f, v); }
    location.hash = "#/jobs" + (q.toString() ? "?" + q : "");
  } },
    h("select", { name: "state", "aria-label": "state" }, h("option", { value: "" }, "any state"),
      STATES.map((s) => h("option", { value: s, selected: filter.state === s }, s))),
    h("input", { name: "queue", placeholder: "queue", value: filter.queue || "", size: 12 }),
    h("input", { name: "method", placeholder: "method", value: filter.method || "", size: 14 }),
    h("input", { name: "search", type: "search", placeholder: "search: id, method, key:value or text in args", title: "Looks at the newest ${
  thousands(SEARCH_SCAN_LIMIT)
} jobs passing the state, queue and method filters", value: filter.search || "" }),
    h("button", { type: "submit", class: "primary" }, "Apply"));
  const bulk = READ_ONLY ? null : h("div", { class: "row" },
    h("span", { class: "muted" }, "All jobs matching this filter:"),
    h("button", { id: "bulk-retry", type: "button", onclick: () => bulkAction("retry") }, "Retry all"),
    h("button", { id: "bulk-delete", type: "button", class: "danger", onclick: () => bulkAction("delete") }, "Delete all"));
  const body = h("tbody", { id: "jobs" });
  const pageInfo = h("span", { class: "muted" });
  const prev = h("button", { type: "button", onclick: () => { cursors.pop(); cursors.pop(); load(); } }, "← Newer");
  const next = h("button", { type: "button", id: "next-page" }, "Older →");
  main.append(h("h1", {}, "Jobs"),
    h("div", { class: "card" }, form, bulk ? h("div", {}, h("hr", { class: "sep" }), bulk) : null),
    h("div", { class: "card" }, h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Job"), h("th", {}, "State"), h("th", {}, "Queue"),
      h("th", {}, "Args"), h("th", { class: "num" }, "Attempts"), h("th", {}, "Created"), READ_ONLY ? null : h("th", {}, ""))), body),
      h("div", { class: "pager" }, pageInfo, prev, next)));

  async function bulkAction(action) {
    const what = Object.keys(filter).length ? JSON.stringify(filter) : "every job";
    if (!confirm(action + " all jobs matching " + what + "?")) return;
    const out = await act("", () => api("/api/jobs/bulk", { method: "POST", body: { action, filter } }));
    if (out) { toast(action + ": " + out.count + " job(s)"); load(true); }
  }
  async function load(samePage) {
    if (samePage) cursors.pop();
    const cursor = cursors[cursors.length - 1];
    const q = new URLSearchParams(filter);
    q.set("limit", "50");
    if (cursor) q.set("cursor", cursor);
    const page = await api("/api/jobs?" + q);
    if (!current()) return;
    cursors.push(page.nextCursor);
    clear(body);
    if (page.jobs.length === 0) body.appendChild(h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No job matches")));
    for (const j of page.jobs) body.appendChild(jobRow(j, () => load(true)));
    pageInfo.textContent = "page " + (cursors.length - 1);
    prev.disabled = cursors.length <= 2;
    next.disabled = !page.nextCursor;
    next.onclick = () => load();
  }
  const reload = throttle(() => load(true), 1000);
  watch({ kind: "jobs", queue: filter.queue, method: filter.method }, (msg) => {
    if (current() && msg.type === "jobs") reload();
  });
  await load();
});

function jobRow(j, after) {
  return h("tr", { "data-job": j.id },
    h("td", {}, h("a", { href: "#/jobs/" + encodeURIComponent(j.id), class: "method" }, j.method), h("div", { class: "mono muted" }, j.id.slice(0, 18) + "…")),
    h("td", {}, badge(j.state)),
    h("td", {}, j.queue),
    h("td", { class: "args mono", title: shortJson(j.args) }, shortJson(j.args)),
    h("td", { class: "num" }, j.attempts + " / " + j.maxAttempts),
    h("td", {}, timeEl(j.createdAt)),
    READ_ONLY ? null : h("td", { class: "row" }, actions(j, after, true)));
}

function actions(j, after, small) {
  const cls = small ? "small" : "";
  const out = [];
  if (j.state === "Succeeded" || j.state === "Failed" || j.state === "Deleted") {
    out.push(h("button", { type: "button", class: cls, "data-action": "retry", onclick: async () => {
      if (await act("Requeued " + j.method, () => api("/api/jobs/" + encodeURIComponent(j.id) + "/retry", { method: "POST" }))) after();
    } }, "Retry"));
  }
  if (j.state !== "Deleted") {
    out.push(h("button", { type: "button", class: cls + " danger", "data-action": "delete", onclick: async () => {
      if (await act("Deleted " + j.method, () => api("/api/jobs/" + encodeURIComponent(j.id) + "/delete", { method: "POST" }))) after();
    } }, "Delete"));
  }
  return out;
}

route(/^\/jobs\/(.+)$/, async (main, m, _params, current) => {
  const id = decodeURIComponent(m[1]);
  const box = h("div", {});
  main.appendChild(box);
  let bar = null;
  async function load() {
    const { job } = await api("/api/jobs/" + encodeURIComponent(id));
    if (!current()) return;
    clear(box);
    bar = h("div", {}, h("div", {}));
    bar.className = "progress";
    bar.firstChild.style.width = job.progress + "%";
    const attempts = job.history.filter((e) => e.error);
    const fields = h("div", { class: "card" }, h("h2", {}, "Job"), h("dl", { class: "fields" },
      h("dt", {}, "Id"), h("dd", { class: "mono" }, job.id),
      h("dt", {}, "Queue"), h("dd", {}, job.queue),
      h("dt", {}, "Priority"), h("dd", {}, String(job.priority)),
      h("dt", {}, "Attempts"), h("dd", {}, job.attempts + " / " + job.maxAttempts),
      h("dt", {}, "Progress"), h("dd", { class: "row" }, bar, h("span", { id: "progress-value" }, job.progress + " %")),
      h("dt", {}, "Created"), h("dd", {}, fmtTime(job.createdAt)),
      h("dt", {}, "Run at"), h("dd", {}, fmtTime(job.runAt)),
      h("dt", {}, "Started"), h("dd", {}, fmtTime(job.startedAt)),
      h("dt", {}, "Finished"), h("dd", {}, fmtTime(job.finishedAt)),
      h("dt", {}, "Locked by"), h("dd", { class: "mono" }, job.lockedBy || "—"),
      h("dt", {}, "Unique key"), h("dd", { class: "mono" }, job.uniqueKey || "—")));
    const errors = attempts.length || job.error ? h("div", { class: "card" }, h("h2", {}, "Errors"),
      (attempts.length ? attempts : [{ error: job.error, at: job.finishedAt }]).map((e, i) => h("div", { class: "attempt" },
        h("div", {}, h("strong", {}, "Attempt " + (i + 1) + " · " + e.error.name + ": "), e.error.message, " ", h("span", { class: "muted" }, fmtTime(e.at))),
        e.error.stack ? h("pre", {}, e.error.stack) : null))) : null;
    box.append(
      h("div", { class: "row" }, h("h1", { id: "job-method" }, job.method), badge(job.state), h("span", { class: "spacer" }), READ_ONLY ? null : actions(job, load, false)),
      h("div", { class: "grid two" },
        h("div", { class: "stack" }, fields,
          h("div", { class: "card" }, h("h2", {}, "Arguments"), h("pre", { id: "args" }, json(job.args))),
          job.result !== null && job.result !== undefined ? h("div", { class: "card" }, h("h2", {}, "Result"), h("pre", { id: "result" }, json(job.result))) : null,
          errors),
        h("div", {}, h("div", { class: "card" }, h("h2", {}, "History"), h("ol", { class: "timeline", id: "history" },
          job.history.map((e) => h("li", {}, badge(e.state), " ", h("span", { class: "muted" }, fmtTime(e.at)),
            e.reason ? h("div", {}, e.reason) : null, e.server ? h("div", { class: "mono muted" }, e.server) : null)))))));
  }
  const reload = throttle(load, 500);
  watch({ kind: "job", id }, (msg) => {
    if (!current() || msg.type !== "jobs") return;
    const last = msg.changes[msg.changes.length - 1];
    if (last && !msg.omitted && last.type === "progress" && bar) {
      bar.firstChild.style.width = last.progress + "%";
      document.getElementById("progress-value").textContent = last.progress + " %";
    } else reload();
  });
  await load();
});
`;
