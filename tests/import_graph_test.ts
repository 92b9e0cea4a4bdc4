/** The package's module graph: no import cycle among our own modules, from every entry. */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);

/** Every cycle among local modules reachable from `entry`, as lists of paths. */
async function cyclesFrom(entry: string): Promise<string[][]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    cwd: root.pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
    }[];
  };
  const edges = new Map<string, string[]>();
  for (const m of graph.modules) {
    if (!m.specifier.startsWith("file:")) continue;
    edges.set(
      m.specifier,
      // Type-only imports count: `deno info` shows them, and they tie modules as tightly.
      (m.dependencies ?? []).flatMap((d) => [d.code?.specifier, d.type?.specifier])
        .filter((s): s is string => s?.startsWith("file:") ?? false),
    );
  }
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (m: string) => {
    state.set(m, "open");
    stack.push(m);
    for (const d of edges.get(m) ?? []) {
      if (state.get(d) === "open") cycles.push(stack.slice(stack.indexOf(d)).concat(d));
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(m, "done");
  };
  for (const m of edges.keys()) if (!state.has(m)) visit(m);
  const rel = (s: string) => s.slice(root.href.length);
  return cycles.map((c) => c.map(rel));
}

const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
const entries: string[] = typeof config.exports === "string"
  ? [config.exports]
  : Object.values(config.exports);

for (const entry of entries) {
  Deno.test(`no import cycle from ${entry}`, async () => {
    assert.deepEqual(await cyclesFrom(entry), []);
  });
}
