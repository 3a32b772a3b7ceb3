// The HTML shell of every UI page, and the strict Content-Security-Policy it is served
// with: no inline script or style, only the host's own files.
import type { Context } from "hono";
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { assetPath, type UiAssetName } from "./assets.js";

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * `form-action` is left out on the connect page only: its form posts to /oauth/start, which
 * redirects to the provider, and Chromium applies form-action to that redirect too.
 */
export function contentSecurityPolicy(opts: { formToProvider?: boolean } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    ...(opts.formToProvider ? [] : ["form-action 'self'"]),
  ].join("; ");
}

export type PageOptions = {
  title: string;
  body: Html;
  scripts?: UiAssetName[];
  /** Extra <head> content (e.g. the CSRF meta tag). */
  head?: Html;
  nav?: Html;
  narrow?: boolean;
};

export function pageHtml(p: PageOptions): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>${p.title}</title>
<link rel="stylesheet" href="${assetPath("ui.css")}">
${p.head ?? ""}
${(p.scripts ?? []).map((s) => html`<script src="${assetPath(s)}" defer></script>`)}
</head>
<body>
${p.nav ?? ""}
<main class="${p.narrow ? "narrow" : ""}" id="main">
${p.body}
</main>
</body>
</html>`;
}

/** Answers a page with the UI's security headers (CSP, no caching of pages that may hold names). */
export async function renderPage(c: Context, status: 200 | 400 | 401 | 403 | 404 | 409 | 410 | 422, p: PageOptions & { formToProvider?: boolean }): Promise<Response> {
  const body = await pageHtml(p);
  return c.html(body, status, {
    "content-security-policy": contentSecurityPolicy({ formToProvider: p.formToProvider ?? false }),
    "cache-control": "no-store",
  });
}

/** True when the client ranks text/html above application/json (browsers); JSON otherwise. */
export function wantsHtml(c: Context): boolean {
  const accept = c.req.header("accept") ?? "";
  const rank = (type: string): number => {
    let best = -1;
    for (const part of accept.split(",")) {
      const [media = "", ...params] = part.trim().split(";");
      if (media.trim().toLowerCase() !== type) continue;
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      best = Math.max(best, q === undefined ? 1 : Number.parseFloat(q));
    }
    return best;
  };
  const htmlRank = rank("text/html");
  return htmlRank > 0 && htmlRank >= rank("application/json");
}
