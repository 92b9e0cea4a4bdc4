/**
 * The one markdown table `deno task bench` prints: a row per case, a column per backend
 * (and library, for an A/B), each cell the median (min–max) of the runs.
 *
 * @module
 */

/** One cell of the table. */
export type Cell =
  | { kind: "none" }
  | { kind: "one"; values: number[]; digits?: number }
  | { kind: "multi"; series: (number[] | null)[]; digits?: number }
  | { kind: "ratios"; values: number[] };

/** One row: its label and a cell per column. */
export interface Row {
  label: string;
  cells: Cell[];
}

/** The median of `xs` (the middle one of an odd count, the lower middle of an even one). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

/** The `p` percentile (0–1) of ascending `sorted`, by nearest rank. */
export function nearestRank(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

function num(x: number, digits: number): string {
  const text = x.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
  // A tiny negative latency (the handler started just before `enqueue` resolved) is 0.00.
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/** Decimals that suit a figure of this size: 0 above 100, 1 above 10, else 2. */
function digitsFor(x: number): number {
  return Math.abs(x) >= 100 ? 0 : Math.abs(x) >= 10 ? 1 : 2;
}

function spread(values: readonly number[], digits?: number): string {
  const ok = values.filter((v) => Number.isFinite(v));
  if (ok.length === 0) return "failed";
  const m = median(ok);
  const d = digits ?? digitsFor(m);
  const lo = Math.min(...ok), hi = Math.max(...ok);
  const runs = ok.length < values.length ? ` [${ok.length} ok]` : "";
  // Runs that print alike (a count, say) need no range.
  return ok.length === 1 || num(lo, d) === num(hi, d)
    ? `${num(m, d)}${runs}`
    : `${num(m, d)} (${num(lo, d)}–${num(hi, d)})${runs}`;
}

function render(c: Cell): string {
  switch (c.kind) {
    case "none":
      return "–";
    case "one":
      return c.values.length ? spread(c.values, c.digits) : "failed";
    case "multi":
      // A null series has no figure here (a database inside the server process, say).
      return c.series.map((s) => (!s ? "–" : s.length ? spread(s, c.digits ?? 2) : "failed"))
        .join(" / ");
    case "ratios": {
      const steps: string[] = [];
      for (let i = 1; i < c.values.length; i++) {
        const r = c.values[i] / c.values[i - 1];
        steps.push(Number.isFinite(r) ? `×${r.toFixed(1)}` : "?");
      }
      return steps.join(", ");
    }
  }
}

/** The table as markdown, under a line naming the command. */
export function renderTable(t: { title: string; columns: string[]; rows: Row[] }): string {
  const lines = [
    t.title,
    "",
    `| workload | ${t.columns.join(" | ")} |`,
    `|---|${t.columns.map(() => "---:").join("|")}|`,
    ...t.rows.map((r) => `| ${r.label} | ${r.cells.map(render).join(" | ")} |`),
  ];
  return lines.join("\n");
}
