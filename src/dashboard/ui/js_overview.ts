/**
 * Browser script, part 2: the overview (counts by state, throughput chart,
 * queues, servers, live activity feed).
 *
 * @module
 */

/** Overview view of the UI script. */
export const JS_OVERVIEW: string = String.raw`
let chartWindow = "1h";
route(/^\/$/, async (main, _m, _params, current) => {
  const counts = h("div", { class: "grid counts", id: "counts" });
  const kpis = h("div", { class: "kpis", id: "kpis" });
  const chartBox = h("div", { class: "chart", id: "chart" });
  const seg = h("div", { class: "seg" }, ["1h", "24h", "7d"].map((w) =>
    h("button", { class: w === chartWindow ? "on" : "", "data-window": w, onclick: () => { chartWindow = w; for (const b of seg.children) b.classList.toggle("on", b.dataset.window === w); loadChart(); } }, w)));
  const queues = h("tbody", { id: "queues" });
  const servers = h("tbody", { id: "servers" });
  const feed = h("ul", { class: "feed", id: "feed" });
  main.append(
    h("h1", {}, "Overview"),
    counts,
    h("div", { class: "grid two" },
      h("div", { class: "card" }, h("div", { class: "row" }, h("h2", {}, "Throughput"), h("span", { class: "spacer" }), seg), kpis, chartBox,
        h("div", { class: "legend" }, h("span", {}, h("i", { class: "lg-ok" }), "succeeded"), h("span", {}, h("i", { class: "lg-bad" }), "failed / retried"))),
      h("div", { class: "card" }, h("h2", {}, "Live activity"), feed)),
    h("div", { class: "card" }, h("h2", {}, "Queues"), h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Queue"), STATES.map((s) => h("th", { class: "num" }, s)), h("th", { class: "num" }, "oldest ready"), h("th", { class: "num" }, "jobs/s"), h("th", { class: "num" }, "wait p95"))), queues)),
    h("div", { class: "card" }, h("h2", {}, "Servers"), h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Status"), h("th", {}, "Queues"), h("th", { class: "num" }, "In flight"), h("th", {}, "Heartbeat"))), servers)),
  );

  function drawCounts(stats) {
    clear(counts);
    for (const s of STATES) {
      counts.appendChild(h("a", { class: "count s-" + s, href: "#/jobs?state=" + s, "data-state-count": s },
        h("div", { class: "n" }, fmtNum(stats.byState[s])), h("div", { class: "l" }, s)));
    }
    clear(kpis).append(
      h("div", { class: "kpi" }, h("div", { class: "n", id: "jps" }, String(stats.jobsPerSecond)), h("div", { class: "l" }, "jobs/s (last minute)")),
      h("div", { class: "kpi" }, h("div", { class: "n" }, String(stats.failuresPerSecond)), h("div", { class: "l" }, "failures/s")),
      h("div", { class: "kpi" }, h("div", { class: "n" }, String(stats.servers.alive)), h("div", { class: "l" }, "servers alive")));
  }
  async function loadChart() {
    const series = await api("/api/metrics?window=" + chartWindow);
    if (current()) drawChart(chartBox, series);
  }
  async function loadQueues() {
    const { queues: qs } = await api("/api/queues");
    if (!current()) return;
    clear(queues);
    if (qs.length === 0) queues.appendChild(h("tr", {}, h("td", { colspan: STATES.length + 4, class: "empty" }, "No jobs yet")));
    for (const q of qs) {
      queues.appendChild(h("tr", {}, h("td", {}, h("a", { href: "#/jobs?queue=" + encodeURIComponent(q.name) }, q.name)),
        STATES.map((s) => h("td", { class: "num" }, fmtNum(q.counts[s]))),
        h("td", { class: "num", "data-oldest-ready": "" }, q.oldestReadyAgeMs === null ? "—" : fmtAge(Math.round(q.oldestReadyAgeMs / 1000))),
        h("td", { class: "num" }, String(q.jobsPerSecond)), h("td", { class: "num" }, q.waitP95Ms === null ? "—" : "≤ " + q.waitP95Ms + " ms")));
    }
  }
  async function loadServers() {
    const { servers: list } = await api("/api/servers");
    if (!current()) return;
    clear(servers);
    if (list.length === 0) servers.appendChild(h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No server running")));
    for (const s of list) {
      servers.appendChild(h("tr", {}, h("td", { class: "mono" }, s.name), h("td", {}, badge(s.status)),
        h("td", {}, s.queues.join(", ")), h("td", { class: "num" }, s.inFlight + " / " + s.concurrency), h("td", {}, timeEl(s.heartbeatAt))));
    }
  }
  function addFeed(changes) {
    for (const ch of changes.slice(-30)) {
      feed.insertBefore(h("li", {}, h("span", { class: "muted" }, new Date(ch.at).toLocaleTimeString(), " "), badge(ch.state), " ",
        h("a", { href: "#/jobs/" + encodeURIComponent(ch.id) }, ch.method), h("span", { class: "muted" }, " · " + ch.type + " · " + ch.queue)), feed.firstChild);
    }
    while (feed.children.length > 60) feed.removeChild(feed.lastChild);
  }
  const refresh = throttle(() => { loadChart(); loadQueues(); }, 1000);
  watch({ kind: "overview" }, (msg) => {
    if (!current()) return;
    if (msg.type === "stats") { drawCounts(msg.stats); refresh(); }
    else if (msg.type === "jobs") addFeed(msg.changes);
    else if (msg.type === "servers") loadServers();
  });
  const stats = live.stats || await api("/api/stats");
  if (!current()) return;
  drawCounts(stats);
  await Promise.all([loadChart(), loadQueues(), loadServers()]);
});

// Stacked bars: succeeded below, failed + retried above; hover shows the figures.
function drawChart(box, series) {
  const W = 720, H = 200, P = 28;
  const pts = series.points;
  const max = Math.max(1, ...pts.map((p) => p.succeeded + p.failed + p.retried));
  const bw = (W - P) / pts.length;
  const s = svg("svg", { viewBox: "0 0 " + W + " " + H, preserveAspectRatio: "none", role: "img", "aria-label": "throughput chart" });
  s.appendChild(svg("line", { x1: P, y1: H - 16, x2: W, y2: H - 16, class: "axis" }));
  let total = 0;
  pts.forEach((p, i) => {
    const x = P + i * bw, scale = (H - 24) / max;
    const ok = p.succeeded * scale, bad = (p.failed + p.retried) * scale;
    total += p.succeeded + p.failed + p.retried;
    const g = svg("g", {});
    const title = svg("title", {});
    title.textContent = new Date(p.at).toLocaleString() + " — succeeded " + p.succeeded + ", failed " + p.failed + ", retried " + p.retried +
      (p.runP95 === null ? "" : ", run p95 ≤ " + p.runP95 + " ms");
    g.appendChild(title);
    if (ok > 0) g.appendChild(svg("rect", { x: x + 0.5, y: H - 16 - ok, width: Math.max(1, bw - 1), height: ok, class: "ok" }));
    if (bad > 0) g.appendChild(svg("rect", { x: x + 0.5, y: H - 16 - ok - bad, width: Math.max(1, bw - 1), height: bad, class: "bad" }));
    s.appendChild(g);
  });
  const top = svg("text", { x: 2, y: 12 }); top.textContent = fmtNum(max);
  const zero = svg("text", { x: 2, y: H - 18 }); zero.textContent = "0";
  const from = svg("text", { x: P, y: H - 3 }); from.textContent = new Date(pts[0].at).toLocaleString();
  const to = svg("text", { x: W - 4, y: H - 3, "text-anchor": "end" }); to.textContent = "now";
  s.append(top, zero, from, to);
  box.dataset.total = String(total);
  clear(box).appendChild(s);
}
`;
