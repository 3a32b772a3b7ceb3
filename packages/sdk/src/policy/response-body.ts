// How a provider response body reaches route code: JSON parsed when the content type
// says JSON (application/json, application/problem+json, ...), text otherwise. The host's
// transports and the test runtime's scripted responses both read bodies through this.

const JSON_CONTENT_TYPE = /[/+]json\b/i;

export function isJsonContentType(contentType: string | undefined): boolean {
  return !!contentType && JSON_CONTENT_TYPE.test(contentType);
}

/** A JSON body that does not parse stays text: route code sees what the provider sent. */
export function parseResponseBody(text: string, contentType: string | undefined): unknown {
  if (!text || !isJsonContentType(contentType)) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
