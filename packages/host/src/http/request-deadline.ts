// A request's deadline as one AbortSignal: a timer of our own, cleared when the request ends,
// with the caller's signal (if any) folded in. Not AbortSignal.timeout: it costs a weak
// reference and a registry entry per request (every page of a sync makes one), and a timeout
// signal only AbortSignal.any follows can be garbage-collected before it fires (nodejs/node#57736).
export type RequestDeadline = { signal: AbortSignal; clear(): void };

export function requestDeadline(timeoutMs: number, message: string, outer?: AbortSignal): RequestDeadline {
  const controller = new AbortController();
  const onOuter = () => controller.abort(outer?.reason);
  // The reason AbortSignal.timeout gives (a TimeoutError), so the error reads the same (errors.ts).
  const timer = setTimeout(() => controller.abort(new DOMException(message, "TimeoutError")), timeoutMs);
  timer.unref();
  if (outer?.aborted) onOuter();
  else outer?.addEventListener("abort", onOuter, { once: true });
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuter);
    },
  };
}
