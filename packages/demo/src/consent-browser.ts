// A scripted browser for the demo: follows the authorization redirects, finds the
// provider's consent form, presses its approve (or deny) button and follows the
// redirects back to the host's callback — the path a merchant's browser takes.
import { parse, type HTMLElement } from "node-html-parser";
import type { HostHttp, HostHttpResponse } from "@backfill-io/host";

export type ConsentDecision = "approve" | "deny";

export type BrowseResult = {
  /** The last response: normally the host's callback page. */
  response: HostHttpResponse;
  /** Every URL visited, without query strings (they carry codes and state). */
  hops: string[];
};

const MAX_HOPS = 10;
const APPROVE = /^(approve|allow|install|install app|authorize)$/i;
const DENY = /^(deny|cancel|decline)$/i;

function withoutQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}

type FormSubmission = { url: string; body: string };

/**
 * The browser's cookies, by origin: the host binds each flow to the browser that started it
 * with a cookie, so the callback must carry it back. (HostHttp joins repeated headers with ", ".)
 */
class CookieJar {
  private readonly byOrigin = new Map<string, Map<string, string>>();

  store(url: string, setCookie: string | undefined): void {
    if (!setCookie) return;
    const jar = this.byOrigin.get(new URL(url).origin) ?? new Map<string, string>();
    for (const cookie of setCookie.split(/,\s*(?=[^;,=\s]+=)/)) {
      const [pair = "", ...attributes] = cookie.split(";");
      const at = pair.indexOf("=");
      if (at <= 0) continue;
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
      if (expired) jar.delete(pair.slice(0, at).trim());
      else jar.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    this.byOrigin.set(new URL(url).origin, jar);
  }

  header(url: string): Record<string, string> {
    const jar = this.byOrigin.get(new URL(url).origin);
    return jar?.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") } : {};
  }
}

/** Reads the consent page: the form whose submit button matches the decision. */
export function consentSubmission(html: string, pageUrl: string, decision: ConsentDecision): FormSubmission | null {
  const root = parse(html);
  const wanted = decision === "approve" ? APPROVE : DENY;
  for (const form of root.querySelectorAll("form")) {
    const button = form.querySelectorAll("button, input[type=submit]").find((b: HTMLElement) => {
      const label = (b.getAttribute("value") ?? b.text).trim();
      return wanted.test(label) || wanted.test(b.getAttribute("id") ?? "") || wanted.test(b.text.trim());
    });
    if (!button) continue;
    const fields = new URLSearchParams();
    for (const input of form.querySelectorAll("input")) {
      const name = input.getAttribute("name");
      const type = (input.getAttribute("type") ?? "text").toLowerCase();
      if (!name || type === "submit" || ((type === "checkbox" || type === "radio") && !input.hasAttribute("checked"))) continue;
      fields.append(name, input.getAttribute("value") ?? "");
    }
    for (const select of form.querySelectorAll("select")) {
      const name = select.getAttribute("name");
      const option = select.querySelector("option[selected]") ?? select.querySelector("option");
      if (name && option) fields.append(name, option.getAttribute("value") ?? option.text);
    }
    const buttonName = button.getAttribute("name");
    if (buttonName) fields.append(buttonName, button.getAttribute("value") ?? "");
    const action = new URL(form.getAttribute("action") ?? pageUrl, pageUrl).toString();
    return { url: action, body: fields.toString() };
  }
  return null;
}

/**
 * Starts at `authorizationUrl` and browses until a page that is not a redirect and not a
 * consent form: the host's callback answer. Requests go through HostHttp, so provider
 * URLs reach the emulators in demo mode.
 */
export async function browseAuthorization(http: HostHttp, authorizationUrl: string, decision: ConsentDecision = "approve"): Promise<BrowseResult> {
  const hops: string[] = [];
  let request: { method: "GET" | "POST"; url: string; body?: string } = { method: "GET", url: authorizationUrl };
  let consented = false;
  const cookies = new CookieJar();
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    hops.push(`${request.method} ${withoutQuery(request.url)}`);
    const response = await http({
      method: request.method,
      url: request.url,
      headers: {
        ...(request.body !== undefined ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        accept: "application/json, text/html;q=0.9",
        ...cookies.header(request.url),
      },
      ...(request.body !== undefined ? { body: request.body } : {}),
    });
    cookies.store(request.url, response.headers["set-cookie"]);
    const location = response.headers.location;
    if (response.status >= 300 && response.status < 400 && location) {
      request = { method: "GET", url: new URL(location, request.url).toString() };
      continue;
    }
    const isHtml = (response.headers["content-type"] ?? "").includes("text/html");
    const form = !consented && isHtml ? consentSubmission(response.bodyText, request.url, decision) : null;
    if (!form) return { response, hops };
    consented = true;
    request = { method: "POST", url: form.url, body: form.body };
  }
  throw new Error(`authorization did not finish within ${MAX_HOPS} redirects (${hops.join(" → ")})`);
}
