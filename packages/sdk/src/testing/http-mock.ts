// Scripted HTTP for route tests: queued one-shot responses and standing handlers,
// matched by method and URL pattern. An unmatched request fails loudly, listing
// what the test expected.
import type { HttpMethod, HttpRequestSpec, HttpResponse } from "../runtime/binding.js";
import { describeUrl } from "../policy/http.js";
import { parseResponseBody } from "../policy/response-body.js";

export type MockResponse = { status?: number; body?: unknown; headers?: Record<string, string> };
export type MockHandler = MockResponse | ((request: RecordedCall) => MockResponse);
/** A URL pattern: a full URL, a prefix ending in "*", or a RegExp. Omitted: any URL. */
export type UrlPattern = string | RegExp;

export type RecordedCall = {
  method: HttpMethod;
  url: string;
  body: unknown;
  opts: { headers: Record<string, string>; timeoutMs?: number; auth?: HttpRequestSpec["auth"] };
};

type Expectation = { method: HttpMethod | "*"; pattern: UrlPattern | undefined; handler: MockHandler; once: boolean; used: boolean };

function matches(pattern: UrlPattern | undefined, url: string): boolean {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) return pattern.test(url);
  if (pattern.endsWith("*")) return url.startsWith(pattern.slice(0, -1));
  return url === pattern || url.split("?")[0] === pattern;
}

function describeExpectation(e: Expectation): string {
  const pattern = e.pattern === undefined ? "any URL" : String(e.pattern);
  return `${e.method} ${pattern}${e.once ? " (once)" : ""}`;
}

export function toHttpResponse(mock: MockResponse): HttpResponse {
  const status = mock.status ?? 200;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(mock.headers ?? {})) headers[k.toLowerCase()] = v;
  if (!headers["content-type"]) headers["content-type"] = typeof mock.body === "string" ? "text/plain" : "application/json";
  // A string body is what the provider would send on the wire: read it as the host does.
  const body = typeof mock.body === "string" ? parseResponseBody(mock.body, headers["content-type"]) : (mock.body ?? null);
  return { status, ok: status >= 200 && status < 300, headers, body };
}

export class HttpMock {
  readonly calls: RecordedCall[] = [];
  private readonly expectations: Expectation[] = [];

  private add(method: HttpMethod | "*", a: UrlPattern | MockHandler | undefined, b: MockHandler | undefined, once: boolean): this {
    const [pattern, handler] = b === undefined ? [undefined, a as MockHandler] : [a as UrlPattern, b];
    this.expectations.push({ method, pattern, handler, once, used: false });
    return this;
  }

  getOnce(response: MockHandler): this;
  getOnce(url: UrlPattern, response: MockHandler): this;
  getOnce(a: UrlPattern | MockHandler, b?: MockHandler): this {
    return this.add("GET", a, b, true);
  }

  postOnce(response: MockHandler): this;
  postOnce(url: UrlPattern, response: MockHandler): this;
  postOnce(a: UrlPattern | MockHandler, b?: MockHandler): this {
    return this.add("POST", a, b, true);
  }

  /** A standing handler: answers every matching request (after one-shot responses are used up). */
  on(method: HttpMethod | "*", url: UrlPattern | undefined, response: MockHandler): this {
    return this.add(method, url, response, false);
  }

  /** Queues a one-shot response for any method. */
  once(method: HttpMethod | "*", url: UrlPattern | undefined, response: MockHandler): this {
    return this.add(method, url, response, true);
  }

  pending(): string[] {
    return this.expectations.filter((e) => e.once && !e.used).map(describeExpectation);
  }

  handle(call: RecordedCall): HttpResponse {
    return toHttpResponse(this.respond(call));
  }

  /** The scripted response as written (Files.download reads its body as bytes, not parsed). */
  respond(call: RecordedCall): MockResponse {
    this.calls.push(call);
    const fits = (e: Expectation) => (e.method === "*" || e.method === call.method) && matches(e.pattern, call.url);
    const expectation = this.expectations.find((e) => e.once && !e.used && fits(e)) ?? this.expectations.find((e) => !e.once && fits(e));
    if (!expectation) {
      const expected = this.expectations.filter((e) => !e.once || !e.used).map(describeExpectation);
      throw new Error(`connectorTestRuntime: unexpected ${call.method} ${describeUrl(call.url)}; expected ${expected.length ? expected.join("; ") : "no HTTP calls"}`);
    }
    expectation.used = true;
    return typeof expectation.handler === "function" ? expectation.handler(call) : expectation.handler;
  }
}
