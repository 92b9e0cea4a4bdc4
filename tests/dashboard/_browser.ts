/** Headless Chromium for the browser tests, driven by puppeteer-core. */
import puppeteer, { type Browser } from "puppeteer-core";

/** Where the browser is expected (`.ci/run` installs it when missing). */
export const CHROMIUM = Deno.env.get("QML_CHROMIUM") ?? "/usr/bin/chromium";

/** Whether a Chromium binary is there. */
export function hasChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

/** Launch a headless browser on a fresh profile; `close()` also removes the profile. */
export async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const profile = await Deno.makeTempDir({ prefix: "qml-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profile}`,
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
