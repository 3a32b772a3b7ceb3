// A route's deadline that stops while the host works on the route's behalf for longer than
// a route could: a Files.download of a multi-GB bulk result may take far more than the
// route timeout, bounded instead by the download's own timeoutMs (capped by the host).
// Everything else the route does (its own code, Http, ingest, the other host calls) counts.

export class RouteDeadline {
  /** Resolves with "timeout" once the route has spent its budget outside paused host work. */
  readonly expired: Promise<"timeout">;
  private remainingMs: number;
  private runningSince = 0;
  private paused = 0;
  private timer: NodeJS.Timeout | undefined;
  private expire!: (value: "timeout") => void;
  private done = false;

  constructor(readonly timeoutMs: number) {
    this.remainingMs = timeoutMs;
    this.expired = new Promise<"timeout">((resolve) => (this.expire = resolve));
    this.start();
  }

  /** Host work begins that does not count against the route (nested pauses count once). */
  pause(): void {
    if (this.done || this.paused++ > 0) return;
    clearTimeout(this.timer);
    this.remainingMs -= performance.now() - this.runningSince;
  }

  /** That host work ended: the route's clock runs again with what was left. */
  resume(): void {
    if (this.done || this.paused === 0 || --this.paused > 0) return;
    this.start();
  }

  /** The route answered (or failed): the deadline no longer matters. */
  clear(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private start(): void {
    this.runningSince = performance.now();
    this.timer = setTimeout(
      () => {
        this.done = true;
        this.expire("timeout");
      },
      Math.max(0, this.remainingMs),
    );
  }
}
