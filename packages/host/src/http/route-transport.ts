// HostHttp as the route runner's transport (runner/http.ts HttpTransport): one request, no
// redirects followed (the runner follows them under the manifest's policy). The body goes back
// as the bytes received (the runner decodes by content type), the runner's size limit is the one
// HostHttp enforces while reading, and a failure carries the SDK code a route sees.
import type { HttpTransport } from "../runner/http.js";
import { describeRequest, routeCallError } from "./errors.js";
import type { HostHttp } from "./host-http.js";

export function hostHttpTransport(http: HostHttp): HttpTransport {
  return async (req) => {
    try {
      const res = await http({
        method: req.method as "GET",
        url: req.url.href,
        headers: req.headers,
        ...(req.body !== undefined ? { body: req.body } : {}),
        timeoutMs: req.timeoutMs,
        maxResponseBytes: req.maxResponseBytes,
      });
      return { status: res.status, headers: res.headers, body: res.body };
    } catch (error) {
      throw routeCallError("Http", error, describeRequest(req.method, req.url));
    }
  };
}
