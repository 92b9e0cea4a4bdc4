/** The `./dashboard` entry: answers through `app.fetch` alone, and loads no server or driver code. */
import assert from "node:assert/strict";
import { createDashboard } from "../../dashboard.ts";
import { MemoryStorage } from "../../src/storage/memory/memory_storage.ts";
import { APP_JS } from "../../src/dashboard/ui/script.ts";

Deno.test("app.fetch answers with no Deno.serve: page, assets, API", async () => {
  const storage = new MemoryStorage();
  const app = createDashboard({ storage });
  const page = await app.fetch(new Request("http://x/"));
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type")!, /text\/html/);
  assert.match(page.headers.get("content-security-policy")!, /script-src 'self'/);
  assert.match(await page.text(), /assets\/app\.js/);
  const js = await app.fetch(new Request("http://x/assets/app.js"));
  assert.match(js.headers.get("content-type")!, /javascript/);
  assert.equal(await js.text(), APP_JS);
  const css = await app.fetch(new Request("http://x/assets/app.css"));
  assert.match(css.headers.get("content-type")!, /text\/css/);
  await css.body?.cancel();
  const stats = await app.fetch(new Request("http://x/api/stats"));
  assert.equal(stats.status, 200);
  assert.equal((await stats.json()).byState.Enqueued, 0);
  const missing = await app.fetch(new Request("http://x/nope"));
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "NOT_FOUND");
  app.close();
  await storage.close();
});

Deno.test("the UI script never parses data as HTML", () => {
  for (const sink of ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("]) {
    assert.ok(!APP_JS.includes(sink), `app.js uses ${sink}`);
  }
  assert.match(APP_JS, /createTextNode/);
});

Deno.test("dashboard.ts loads no job-server, Web Worker or driver module", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "dashboard.ts"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  assert.equal(out.code, 0);
  const graph = JSON.parse(new TextDecoder().decode(out.stdout));
  const specifiers: string[] = graph.modules.map((m: { specifier: string }) => m.specifier);
  assert.ok(specifiers.some((s) => s.endsWith("/src/dashboard/app.ts")));
  const heavy = specifiers.filter((s) =>
    /\/src\/(server|maintenance)\/|worker_entry|\/postgres_storage\.ts|\/redis_storage\.ts/.test(
      s,
    ) ||
    /^npm:\/?(postgres|ioredis)@/.test(s)
  );
  assert.deepEqual(heavy, []);
});
