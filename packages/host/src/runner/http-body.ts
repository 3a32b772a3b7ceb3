// How an Http response body reaches the route, shared by the main thread (which decides by
// content type) and the route's isolate (which parses): a JSON body is parsed once, in the
// isolate that uses it; text that does not parse stays text.

/** True when Http answers this body parsed (a non-empty body with a JSON content type). */
export function isJsonBody(text: string, contentType: string | undefined): boolean {
  return text !== "" && contentType !== undefined && /[/+]json\b/i.test(contentType);
}

/** The body as the route sees it: parsed when `json`, the text itself when it does not parse. */
export function decodeBody(text: string, json: boolean): unknown {
  if (!json) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
