// The merchant's and the operator's paths in a real browser (Debian's Chromium) against
// the Shopify emulator: connect page with a messy shop domain → consent → result page →
// signed auth webhook; denial; an expired link; a reconnect with the wrong shop; and the
// dashboard (login, connection, sync now with live progress, records, revoke a key, log out).
// Screenshots of every page go to packages/cli/test-results/screenshots; every page seen is
// scanned for tokens, the client secret, session tokens and API keys.
import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { AUTH_WEBHOOK_SIGNATURE_HEADER, AUTH_WEBHOOK_TIMESTAMP_HEADER, readTokens, signAuthWebhook } from "@backfill-io/host";
import { DEMO_SHOP, startDemoEnvironment, type DemoEnvironment } from "../../src/environment.js";
import { chromiumAvailable, launchChromium, PageLog } from "./chromium.js";

const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));
const WEBHOOK_SECRET = `whsec_canary_${Math.random().toString(36).slice(2)}`;
const OTHER_SHOP = "other-shop";

type Received = { headers: Record<string, string | string[] | undefined>; body: string };

describe.skipIf(!chromiumAvailable())("connect page and dashboard in Chromium", () => {
  let env: DemoEnvironment;
  let browser: BrowserContext;
  let receiver: Server;
  const received: Received[] = [];
  const log = new PageLog();
  const mintedTokens: string[] = [];
  let offsetMs = 0;
  let dataDir: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, env.serverUrl), {
      method,
      headers: { authorization: `Bearer ${env.operatorKey}`, "content-type": "application/json", accept: "application/json" },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return (await res.json()) as Record<string, unknown>;
  };
  const mint = async (body: unknown, path = "/api/connect/sessions") => {
    const minted = (await api("POST", path, body)) as { token: string; connectUrl: string };
    mintedTokens.push(minted.token);
    return minted;
  };
  const eventually = async <T>(read: () => T | Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const value = await read();
      if (ok(value)) return value;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("condition never held");
  };
  const shopField = (page: Page) => page.getByLabel("Shop domain");

  beforeAll(async () => {
    rmSync(SCREENSHOTS, { recursive: true, force: true });
    mkdirSync(SCREENSHOTS, { recursive: true });
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const port = (receiver.address() as { port: number }).port;
    dataDir = mkdtempSync(join(tmpdir(), "bf-browser-"));
    env = await startDemoEnvironment({
      dataDir,
      orders: 40,
      extraShops: [OTHER_SHOP],
      authWebhook: { url: `http://127.0.0.1:${port}/hooks`, secret: WEBHOOK_SECRET, pollMs: 100 },
      clock: () => Date.now() + offsetMs,
    });
    browser = await launchChromium(env.shopify.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await env?.close();
    await new Promise((r) => receiver?.close(r));
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("connects a shop from a pasted admin URL, shows the result, and posts a signed auth webhook", async () => {
    const session = await mint({ connectors: ["shopify"], endUser: { id: "merchant-1", displayName: "Ada's Bakery" }, tags: { plan: "pro" } });
    const page = await browser.newPage();
    await page.goto(session.connectUrl);
    // The token moved into an HttpOnly cookie: it is not in the address bar or the page.
    expect(page.url()).toBe(new URL("/connect?connector=shopify", env.serverUrl).toString());
    await expect.poll(() => page.locator("h1").textContent()).toBe("Connect Shopify");
    expect(await page.locator("ul.scopes").textContent()).toContain("Read your orders and refunds");

    await shopField(page).fill("evil.com");
    await shopField(page).blur();
    await expect.poll(() => page.locator("#feedback-shop_domain").textContent()).toContain("is not a myshopify.com domain");
    await log.capture(page, "01-connect-refused-domain", SCREENSHOTS);
    await shopField(page).fill(`https://admin.shopify.com/store/${DEMO_SHOP}/orders`);
    await shopField(page).blur();
    await expect.poll(() => page.locator("#feedback-shop_domain").textContent()).toBe(`Will connect ${DEMO_SHOP}.myshopify.com`);
    await log.capture(page, "02-connect-form", SCREENSHOTS);

    await page.getByRole("button", { name: "Continue to Shopify" }).click();
    await page.locator("#approve").waitFor();
    await log.capture(page, "03-provider-consent", SCREENSHOTS);
    await page.locator("#approve").click();
    await page.locator("#provider-account").waitFor();
    expect(await page.locator("h1").textContent()).toBe("You are all set");
    expect(await page.locator("main").textContent()).toContain("orders");
    await log.capture(page, "04-connected", SCREENSHOTS);

    const event = await eventually(
      () => received.find((r) => (JSON.parse(r.body) as { type?: unknown }).type === "connection.created"),
      (r) => r !== undefined,
    );
    const timestamp = String(event!.headers[AUTH_WEBHOOK_TIMESTAMP_HEADER]);
    expect(event!.headers[AUTH_WEBHOOK_SIGNATURE_HEADER]).toBe(signAuthWebhook(WEBHOOK_SECRET, timestamp, event!.body));
    const payload = JSON.parse(event!.body) as { data: { connectionId: string; endUser: { id: string }; tags: Record<string, string>; providerAccount: { id: string } } };
    expect(payload.data).toMatchObject({ endUser: { id: "merchant-1" }, tags: { plan: "pro" } });
    await page.close();
  });

  it("explains a declined consent in the merchant's words", async () => {
    const session = await mint({ connectors: ["shopify"], endUser: { id: "merchant-2" } });
    const page = await browser.newPage();
    await page.goto(session.connectUrl);
    await shopField(page).fill(DEMO_SHOP);
    await page.getByRole("button", { name: "Continue to Shopify" }).click();
    await page.locator("#deny").click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("You cancelled the connection");
    expect(await page.locator("main").textContent()).toContain("Go back to the app");
    await log.capture(page, "05-denied", SCREENSHOTS);
    await page.close();
  });

  // connect.js never intercepts the submit, so this is the path a browser without JS takes.
  it("says an expired link has expired, and a submitted form re-renders with the server's errors", async () => {
    const session = await mint({ connectors: ["shopify"], endUser: { id: "merchant-3" }, ttlSeconds: 60 });
    const page = await browser.newPage();
    await page.goto(session.connectUrl);
    await shopField(page).fill("evil.com");
    await page.getByRole("button", { name: "Continue to Shopify" }).click();
    await expect.poll(() => page.locator("#feedback-shop_domain").textContent()).toContain("is not a myshopify.com domain");
    await log.capture(page, "06-server-side-errors", SCREENSHOTS);
    offsetMs = 120_000;
    try {
      await page.reload();
      await expect.poll(() => page.locator("h1").textContent()).toBe("This link has expired");
      await log.capture(page, "07-expired", SCREENSHOTS);
    } finally {
      offsetMs = 0;
    }
    await page.close();
  });

  it("refuses a reconnect to a different shop with the reason", async () => {
    const connection = (await env.host.store.connections.list()).find((c) => c.status === "active")!;
    const session = await mint({ connectionId: connection.id }, "/api/connect/sessions/reconnect");
    const page = await browser.newPage();
    await page.goto(session.connectUrl);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Reconnect Shopify");
    await shopField(page).fill(`${OTHER_SHOP}.myshopify.com`);
    await page.getByRole("button", { name: "Continue to Shopify" }).click();
    await page.locator("#approve").click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("That is a different account");
    expect(await page.locator("main").textContent()).toContain("provider_account_mismatch");
    await log.capture(page, "08-reconnect-wrong-account", SCREENSHOTS);
    expect((await env.host.store.connections.get(connection.id))?.provider_account_id).toBe(connection.provider_account_id);
    await page.close();
  });

  it("lets the operator sign in, sync with live progress, browse records, revoke a key and log out", async () => {
    const page = await browser.newPage();
    await page.goto(env.dashboardUrl);
    await log.capture(page, "09-login", SCREENSHOTS);
    await page.getByLabel("Host API key").fill(env.operatorKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.locator("#connections").waitFor();
    expect(await page.locator("#connections").textContent()).toContain("Ada's Bakery");
    await log.capture(page, "10-connections", SCREENSHOTS);

    await page.locator("#connections a").first().click();
    await page.locator("#sync-now").click();
    await expect.poll(() => page.locator("#runs").getAttribute("data-live"), { timeout: 60_000 }).toBe("done");
    expect(await page.locator("#runs tbody").textContent()).toContain("succeeded");
    await log.capture(page, "11-connection", SCREENSHOTS);

    await page.getByRole("link", { name: "browse" }).nth(1).click();
    await page.locator("#records").waitFor();
    const firstKey = (await page.locator("#records tbody td.mono").first().textContent())!;
    await page.getByLabel("Key contains").fill(firstKey.slice(-6));
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#records tbody td.mono").first().textContent()).toContain(firstKey.slice(-6));
    await log.capture(page, "12-records", SCREENSHOTS);

    await page.goto(new URL("/ui/credentials", env.serverUrl).toString());
    expect(await page.locator("#credentials").textContent()).toContain("demo-shopify-app");
    await log.capture(page, "13-credentials", SCREENSHOTS);

    await page.goto(new URL("/ui/keys", env.serverUrl).toString());
    await page.getByLabel("Name").fill("ci robot");
    await page.locator("#create-key").click();
    await expect.poll(() => page.locator("#flash").textContent()).toContain("shown once");
    const created = (await page.locator("#flash").textContent())!.match(/bfk_\S+/)![0];
    mintedTokens.push(created);
    await page.reload();
    page.once("dialog", (d) => void d.accept());
    const row = page.locator("tr", { hasText: "ci robot" });
    await row.getByRole("button", { name: "Revoke" }).click();
    await expect.poll(() => page.locator("tr", { hasText: "ci robot" }).textContent()).toContain("revoked");
    expect((await fetch(new URL("/api/connections", env.serverUrl), { headers: { authorization: `Bearer ${created}` } })).status).toBe(401);
    await log.capture(page, "14-keys", SCREENSHOTS);

    await page.goto(new URL("/ui/webhooks", env.serverUrl).toString());
    expect(await page.locator("#deliveries").textContent()).toContain("connection.created");
    await log.capture(page, "15-webhooks", SCREENSHOTS);

    await page.locator("#logout").click();
    await page.getByLabel("Host API key").waitFor();
    await page.goto(new URL("/ui", env.serverUrl).toString());
    expect(new URL(page.url()).pathname).toBe("/ui/login");
    await page.close();
  }, 120_000);

  it("no page the browser saw holds a token, the client secret, a session token or an API key", async () => {
    const canaries = [...mintedTokens, env.operatorKey, WEBHOOK_SECRET, (await env.host.credentials.get("shopify_public_app"))!.clientSecret];
    for (const c of await env.host.store.connections.list()) {
      const tokens = await readTokens(env.host.store, env.host.vault, c.id);
      if (tokens) canaries.push(tokens.accessToken, ...(tokens.refreshToken ? [tokens.refreshToken] : []));
    }
    expect(log.seen.length).toBeGreaterThanOrEqual(14);
    for (const seen of log.seen) for (const canary of canaries) expect(seen.html.includes(canary) || seen.url.includes(canary), `${seen.name} holds a secret`).toBe(false);
  });
});
