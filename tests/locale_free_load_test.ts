/**
 * Loading the package formats nothing with locale data. The first use of `Intl` (or a
 * `toLocale…` method) pages in ICU's data: ~7 MiB of resident memory in every process and
 * Web Worker that imports mod.ts, for a string no job server shows (the dashboard's search
 * hint did exactly that). Proven in a child process whose locale formatters throw.
 */
import assert from "node:assert/strict";

async function importPackage(...args: string[]): Promise<{ ok: boolean; out: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--no-check",
      new URL("fixtures/locale_free/import_package.ts", import.meta.url).pathname,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, out: text };
}

Deno.test("importing mod.ts, dashboard.ts, testing.ts and cli.ts uses no locale formatting", async () => {
  const r = await importPackage();
  assert.ok(r.ok, r.out);
  assert.match(r.out, /loaded/);
});

Deno.test("the locale trap is armed (the proof above can fail)", async () => {
  const r = await importPackage("--control");
  assert.equal(r.ok, false);
  assert.match(r.out, /locale formatting at load: Number\.prototype\.toLocaleString/);
});
