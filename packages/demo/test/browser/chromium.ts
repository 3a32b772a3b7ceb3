// Debian's Chromium driven by playwright-core (never a downloaded browser). Without
// /usr/bin/chromium the browser tests say so and skip, except under CI, where they fail.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/** Whether the browser tests run here; under CI a missing Chromium is an error, not a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`${CHROMIUM_PATH} is missing; CI installs it in .ci/run (apt-get install -y chromium)`);
  console.warn(`browser tests skipped: ${CHROMIUM_PATH} is not installed (apt-get install -y chromium)`);
  return false;
}

/** A fresh profile; requests to `https://*.myshopify.com` go to the Shopify emulator (as the demo's provider routes do). */
export async function launchChromium(shopifyEmulatorUrl: string): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "bf-chromium-")), { executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS, headless: true });
  await context.route(/^https:\/\/[a-z0-9-]+\.myshopify\.com\//, async (route) => {
    const url = new URL(route.request().url());
    const response = await route.fetch({
      url: new URL(url.pathname + url.search, shopifyEmulatorUrl).toString(),
      headers: { ...route.request().headers(), "x-forwarded-host": url.host },
      maxRedirects: 0,
    });
    await route.fulfill({ response });
  });
  // A script error or a refused resource (CSP) would only show as a missing reaction: print it.
  context.on("page", (page) => {
    page.on("response", (r) => {
      if (process.env.DEBUG_BROWSER)
        void r
          .text()
          .then((t) => console.error(`browser ${r.status()} ${r.url()} ${t.slice(0, 200)}`))
          .catch(() => undefined);
    });
    page.on("pageerror", (error) => console.error(`browser page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") console.error(`browser console: ${message.text()}`);
    });
  });
  return context;
}

/** Every page the tests saw, for the canary scan, and a screenshot of each at the end. */
export class PageLog {
  readonly seen: { name: string; url: string; html: string }[] = [];
  async capture(page: Page, name: string, dir: string): Promise<void> {
    this.seen.push({ name, url: page.url(), html: await page.content() });
    await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
  }
}
