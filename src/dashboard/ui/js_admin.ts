/**
 * Browser script, part 4: recurring templates, servers, and start-up.
 *
 * @module
 */

/** Recurring and server views, and the boot code, of the UI script. */
export const JS_ADMIN: string = String.raw`
route(/^\/recurring$/, async (main, _m, _params, current) => {
  const body = h("tbody", { id: "recurring" });
  main.append(h("h1", {}, "Recurring jobs"), h("div", { class: "card" }, h("table", {},
    h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Schedule"), h("th", {}, "Job"), h("th", {}, "Next runs"),
      h("th", {}, "Last tick"), h("th", {}, "Status"), READ_ONLY ? null : h("th", {}, ""))), body)));
  async function load() {
    const { templates } = await api("/api/recurring");
    if (!current()) return;
    clear(body);
    if (templates.length === 0) body.appendChild(h("tr", {}, h("td", { colspan: 7, class: "empty" }, "No recurring job")));
    for (const t of templates) {
      const path = "/api/recurring/" + encodeURIComponent(t.name);
      const btn = (label, fn, cls) => h("button", { type: "button", class: "small " + (cls || ""), "data-action": label.toLowerCase(), onclick: fn }, label);
      body.appendChild(h("tr", { "data-template": t.name },
        h("td", {}, h("strong", {}, t.name)),
        h("td", { class: "mono" }, t.cron, t.timezone ? h("div", { class: "muted" }, t.timezone) : null),
        h("td", {}, h("div", {}, t.method), h("div", { class: "muted mono args" }, t.queue + " · " + shortJson(t.args))),
        h("td", {}, t.nextRuns.length ? t.nextRuns.map((r) => h("div", {}, fmtTime(r))) : h("span", { class: "muted" }, "—")),
        h("td", {}, timeEl(t.lastTickAt)),
        h("td", {}, t.paused ? badge("Paused") : badge("Active")),
        READ_ONLY ? null : h("td", { class: "row" },
          btn("Trigger", () => act("Triggered " + t.name, () => api(path + "/trigger", { method: "POST" }))),
          t.paused ? btn("Resume", async () => { if (await act("Resumed " + t.name, () => api(path + "/resume", { method: "POST" }))) load(); })
                   : btn("Pause", async () => { if (await act("Paused " + t.name, () => api(path + "/pause", { method: "POST" }))) load(); }),
          btn("Remove", async () => {
            if (confirm("Remove recurring job " + t.name + "?") && await act("Removed " + t.name, () => api(path, { method: "DELETE" }))) load();
          }, "danger"))));
    }
  }
  watch({ kind: "overview" }, () => {});
  await load();
});

route(/^\/servers$/, async (main, _m, _params, current) => {
  const body = h("tbody", { id: "server-list" });
  main.append(h("h1", {}, "Servers"), h("div", { class: "card" }, h("table", {},
    h("thead", {}, h("tr", {}, ["Name", "Status", "Host", "Pid", "Queues", "In flight", "Mode", "Version", "Started", "Heartbeat"].map((c) => h("th", {}, c)))), body)));
  async function load() {
    const { servers } = await api("/api/servers");
    if (!current()) return;
    clear(body);
    if (servers.length === 0) body.appendChild(h("tr", {}, h("td", { colspan: 10, class: "empty" }, "No server running")));
    for (const s of servers) {
      body.appendChild(h("tr", {}, h("td", { class: "mono" }, s.name), h("td", {}, badge(s.status)), h("td", {}, s.host),
        h("td", { class: "num" }, String(s.pid)), h("td", {}, s.queues.join(", ")), h("td", { class: "num" }, s.inFlight + " / " + s.concurrency),
        h("td", {}, s.execution), h("td", {}, s.version), h("td", {}, timeEl(s.startedAt)), h("td", {}, timeEl(s.heartbeatAt))));
    }
  }
  watch({ kind: "overview" }, (msg) => { if (current() && msg.type === "servers") load(); });
  await load();
});

document.getElementById("theme").addEventListener("click", () => {
  const next = currentTheme() === "dark" ? "light" : "dark";
  localStorage.setItem("qml-theme", next);
  applyTheme(next);
});
window.addEventListener("hashchange", render);
liveConnect();
render();
`;
