/**
 * Re-take the README's dashboard screenshots: runs `examples/dashboard_demo.ts` for a
 * while, then photographs the overview, the job list and a job's detail in headless
 * Chromium.
 *
 *     deno run -A docs/screenshots/capture.ts
 *
 * @module
 */
import { launch } from "../../tests/dashboard/_browser.ts";

const WARM_UP_MS = Number(Deno.env.get("QML_WARM_UP_MS") ?? 40_000);
const here = new URL(".", import.meta.url).pathname;

const demo = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "examples/dashboard_demo.ts"],
  env: { QML_DASHBOARD_PORT: "0", QML_DEMO_SECONDS: String(WARM_UP_MS / 1000 + 60) },
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = demo.stdout.pipeThrough(new TextDecoderStream()).getReader();
let text = "";
let url = "";
while (!url) {
  const { value, done } = await reader.read();
  if (done) throw new Error("the demo ended early");
  text += value;
  url = /dashboard: (http:\/\/\S+)/.exec(text)?.[1] ?? "";
}
void (async () => {
  while (!(await reader.read()).done) { /* drain */ }
})();
console.log(`demo at ${url}; warming up ${WARM_UP_MS / 1000} s`);
await new Promise((r) => setTimeout(r, WARM_UP_MS));

const chrome = await launch();
try {
  const page = await chrome.browser.newPage();
  await page.setViewport({ width: 1360, height: 900, deviceScaleFactor: 1 });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
  const shot = async (hash: string, file: string, ready: string) => {
    await page.goto(url + hash);
    await page.waitForSelector(ready);
    await new Promise((r) => setTimeout(r, 1_500)); // let live pushes fill the page
    await page.screenshot({ path: `${here}${file}`, fullPage: false });
    console.log(`saved docs/screenshots/${file}`);
  };
  await shot("#/", "overview.png", "#chart svg");
  await shot("#/jobs", "jobs.png", "#jobs tr[data-job]");
  const res = await fetch(`${url}api/jobs?method=charge_card&limit=200`);
  const { jobs } = await res.json();
  // A job that failed an attempt and then succeeded shows errors, history and result.
  const retried = jobs.find((j: { attempts: number; state: string }) =>
    j.attempts > 1 && j.state === "Succeeded"
  ) ?? jobs[0];
  await shot(`#/jobs/${retried.id}`, "job.png", "#history li");
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
  await shot("#/", "overview-dark.png", "#chart svg");
} finally {
  await chrome.close();
  demo.kill("SIGINT");
  await demo.status;
}
