// runRoute: one route invocation in a pooled worker, its SDK calls answered by a
// RouteSession, bounded by a route deadline. Staged writes are returned, never stored:
// the caller commits them only when the route answered 2xx.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { defaultRedactor, routeAccess, routeFile, runningFromSource, type CheckpointState, type ConnectorManifest, type Redactor, type RouteAccess } from "@backfill-io/sdk";
import { isSecretSetting } from "@backfill-io/sdk/policy";
import { createUndiciTransport, DEFAULT_HTTP_LIMITS, type HttpLimits, type HttpTransport } from "./http.js";
import { isolatedReadPaths, packageRoot } from "./isolated-paths.js";
import { childEntry, hostPackageDir, ISOLATED_NEEDS_JAVASCRIPT, ISOLATED_NEEDS_PROTECTED_PATHS, IsolationError, runsIsolated, type RouteIsolation } from "./isolation.js";
import { RouteWorker, WorkerFailure, WorkerPool } from "./pool.js";
import { ROUTE_MEMORY_LIMIT } from "./route-guards.js";
import { RouteDeadline } from "./deadline.js";
import type { BridgeCall, BridgeError, BridgeReply, RouteConfigExport, RouteInputMessage } from "./protocol.js";
import type { ConnectionServices, RouteLogEntry } from "./services.js";
import { errorToBridge, RouteSession } from "./session.js";
import { emptyStaged, type StagedWrites } from "./staging.js";
import { PageChain, SKIPPED, type ChainedPage, type ChainInvocation, type OpenedExecutor } from "./page-chain.js";

/** The body of a route result the runner answers itself (the route did not run, or failed). */
function errorBodyText(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

/** A route path as manifests write it (routeRefSchema): no `.` segments, so it cannot leave the routes directory. */
const ROUTE_PATH = /^\/[a-z0-9_\-/]+$/i;

export type RouteOutcome = "ok" | "error" | "timeout" | "memory_limit" | "crashed" | "not_found";

export type RouteRunResult = {
  status: number;
  headers: Record<string, string>;
  /** The route's response body, passed through the redactor. */
  bodyText: string;
  staged: StagedWrites;
  logs: RouteLogEntry[];
  durationMs: number;
  /** ok: the route answered (any status); otherwise why it did not. */
  outcome: RouteOutcome;
  /** The grant of the last access token the route was given (ConnectionServices.accessTokenGrant); absent when it got none. */
  grant?: string;
};

export type RouteRunnerOptions = {
  /** "source": <connectorDir>/src/api/*.ts via tsx; "dist": <connectorDir>/dist/src/api/*.js. Default: source when the host itself runs from source. */
  mode?: "source" | "dist";
  maxWorkersPerConnector?: number;
  /**
   * Pools are per connection (module-level state in a route never crosses tenants); idle
   * pools beyond this many are closed, least recently used first. Default 16.
   */
  maxIdlePools?: number;
  /**
   * Keep one started, never used route worker (trusted mode) for the next connection's first
   * page, so a host syncing many connections does not wait for a worker to start (module
   * loading: ~0.3 s) at each. Started once the runner serves a second connection; a host
   * running one connection starts none. Built (JavaScript) routes only: a TypeScript worker
   * (tsx) costs seconds of CPU to start, not to be spent ahead. `backfill serve` and `worker` set it.
   */
  spareWorker?: boolean;
  routeTimeoutMs?: number;
  callTimeoutMs?: number;
  memoryLimitMb?: number;
  http?: Partial<HttpLimits>;
  /** Default transport when the services bring none. */
  transport?: HttpTransport;
  redactor?: Redactor;
  /**
   * trusted: worker threads with the host's privileges; isolated: child processes under Node's
   * permission model (README "Trust model"); auto (default): isolated for connectors outside
   * the host's workspace.
   */
  isolation?: RouteIsolation;
  /**
   * Paths isolated routes must never be able to read: the host's data dir at least (its wiring
   * passes it). Required to run a route isolated (isolated_needs_protected_paths without it).
   */
  protectedPaths?: string[];
  /** With isolation "auto": workspaces (besides the host's own) whose connectors run trusted. */
  trustedRoots?: string[];
};

export type RunRouteRequest = {
  /** The connector package directory (routes under src/api or dist/src/api by mode)... */
  connectorDir?: string;
  /** ...or the routes directory itself (host part 1's LoadedConnector.routesDir). */
  routesDir?: string;
  services: ConnectionServices;
  /** The route path, e.g. /sync/orders. */
  route: string;
  method?: string;
  /** The body as bytes (`rawBodyBytes`, what the server received) or as text (`rawBody`, sent as UTF-8). */
  input?: Partial<Omit<RouteInputMessage, "method" | "path">> & { rawBody?: string };
  routeTimeoutMs?: number;
  /**
   * Checkpoint states the route's Checkpoint.get reads without a bridge call: the sync engine
   * passes its stream's (the last committed state, or the state the page it is committing
   * staged). A stream not named here is read from the host as before.
   */
  checkpoints?: Record<string, CheckpointState | undefined>;
  /** Called once each SDK call's answer has been sent to the route (after the reply is posted). */
  onCallAnswered?: () => void;
};

export type RouteDescription = { file: string; config: RouteConfigExport | null; methods: string[] };

/** A route's description and who may call it: its config.auth, granted only when the manifest's `routes` declares it. */
export type DescribedRouteAccess = RouteDescription & { access: RouteAccess };

/** The settings a route may read with Settings.get (the SDK policy's rule: x-secret ones are Secrets.get's). */
function readableSettings(services: ConnectionServices): Record<string, unknown> {
  const readable: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(services.settings)) if (!isSecretSetting(services.manifest, name)) readable[name] = value;
  return readable;
}

export class RouteRunner {
  readonly mode: "source" | "dist";
  readonly isolation: RouteIsolation;
  private readonly pools = new Map<string, WorkerPool>();
  private readonly described = new Map<string, Promise<RouteDescription | null>>();
  private readonly isolatedDirs = new Map<string, boolean>();
  private readonly limits: HttpLimits;
  private readonly redactor: Redactor;
  private ownTransport: ReturnType<typeof createUndiciTransport> | undefined;
  private nextInvocation = 1;
  private workersStartedCount = 0;
  /** The spare worker for built routes; see RouteRunnerOptions.spareWorker. */
  private spare: RouteWorker | undefined;
  private closed = false;
  private bridgeRoundTripCount = 0;
  private followOnPageCount = 0;

  constructor(private readonly options: RouteRunnerOptions = {}) {
    this.mode = options.mode ?? (runningFromSource(import.meta.url) ? "source" : "dist");
    this.isolation = options.isolation ?? "auto";
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...(options.http ?? {}) };
    this.redactor = options.redactor ?? defaultRedactor();
  }

  routesDir(connectorDir: string): string {
    return this.mode === "source" ? join(resolve(connectorDir), "src", "api") : join(resolve(connectorDir), "dist", "src", "api");
  }

  private dirOf(where: { connectorDir?: string; routesDir?: string }): string {
    if (where.routesDir) return resolve(where.routesDir);
    if (where.connectorDir) return this.routesDir(where.connectorDir);
    throw new Error("runRoute needs connectorDir or routesDir");
  }

  /** The route module's file, or null when the connector has no such route (a path with `.` segments never names one). */
  routeModule(routesDir: string, route: string): string | null {
    if (!ROUTE_PATH.test(route)) return null;
    const file = routeFile(routesDir, route);
    return file && existsSync(file) ? file : null;
  }

  /**
   * One pool per connection, routes directory and connector version (TypeScript routes load
   * through tsx): a route's module-level state (a cache, a global) is never shared between
   * two connections, i.e. two merchants. Describing a route (no connection) has its own pool.
   */
  private pool(routesDir: string, version: string, file: string, connectionId = ""): WorkerPool {
    const source = /\.m?ts$/.test(file);
    const isolated = this.runsIsolated(routesDir);
    const key = `${routesDir}@${version}${source ? ":source" : ""}${isolated ? ":isolated" : ""}#${connectionId}`;
    let pool = this.pools.get(key);
    if (pool) {
      // Most recently used last: the Map's order is the eviction order.
      this.pools.delete(key);
      this.pools.set(key, pool);
      return pool;
    }
    // Built routes only: a TypeScript worker (tsx) costs seconds of CPU to start, not spent ahead in development.
    const spare = this.options.spareWorker && !isolated && !source && connectionId !== "" && [...this.pools.keys()].some((k) => !k.endsWith("#") && k !== key);
    pool = new WorkerPool({
      maxWorkers: this.options.maxWorkersPerConnector ?? 2,
      memoryLimitMb: this.options.memoryLimitMb ?? 256,
      source,
      onWorkerStarted: () => void this.workersStartedCount++,
      ...(spare ? { takeSpare: () => this.takeSpare() } : {}),
      ...(isolated
        ? { isolated: { entry: childEntry(), readPaths: isolatedReadPaths(routesDir, hostPackageDir()), cwd: packageRoot(routesDir), protectedPaths: this.protectedPaths() } }
        : {}),
    });
    this.pools.set(key, pool);
    this.evictIdlePools();
    return pool;
  }

  /** The spare, if one is started, and another started in its place (for the connection after). */
  private takeSpare(): RouteWorker | undefined {
    const spare = this.spare;
    this.spare = undefined;
    if (!this.closed) {
      this.spare = new RouteWorker({ maxWorkers: 1, memoryLimitMb: this.options.memoryLimitMb ?? 256, source: false });
      this.workersStartedCount++;
      // Idle, it keeps no process alive; the pool that takes it refs it.
      this.spare.unref();
    }
    return spare;
  }

  /** The paths an isolated child must not read; the runner knows no data dir of its own (it depends on no host part). */
  private protectedPaths(): string[] {
    const paths = this.options.protectedPaths;
    if (!paths?.length)
      throw new IsolationError(ISOLATED_NEEDS_PROTECTED_PATHS, "an isolated route needs the runner's protectedPaths (the host's data dir): pass RouteRunnerOptions.protectedPaths");
    return paths;
  }

  /** Whether routes under `routesDir` run isolated, decided once per directory (it resolves real paths: a few syscalls every page otherwise). */
  private runsIsolated(routesDir: string): boolean {
    let isolated = this.isolatedDirs.get(routesDir);
    if (isolated === undefined) this.isolatedDirs.set(routesDir, (isolated = runsIsolated(this.isolation, routesDir, this.options.trustedRoots)));
    return isolated;
  }

  /** Closes least recently used idle pools beyond maxIdlePools (busy pools are kept). */
  private evictIdlePools(): void {
    const limit = this.options.maxIdlePools ?? 16;
    let excess = this.pools.size - limit;
    for (const [key, pool] of this.pools) {
      if (excess <= 0) break;
      if (!pool.idleNow) continue;
      this.pools.delete(key);
      void pool.close();
      excess--;
    }
  }

  /** How many route workers this runner has started (a sync that reuses its worker starts one for many pages). */
  get workersStarted(): number {
    return this.workersStartedCount;
  }

  /** How many SDK calls crossed the bridge and waited for an answer (batched calls travel with these and are not counted). */
  get bridgeRoundTrips(): number {
    return this.bridgeRoundTripCount;
  }

  /** How many sync pages ran as a follow-on: started by their worker on the checkpoint the page before staged, not by the main thread. */
  get followOnPages(): number {
    return this.followOnPageCount;
  }

  /** How many worker pools are open (one per connection that ran recently). */
  get poolCount(): number {
    return this.pools.size;
  }

  private transport(services: ConnectionServices): HttpTransport {
    if (services.transport) return services.transport;
    if (this.options.transport) return this.options.transport;
    return (this.ownTransport ??= createUndiciTransport(this.limits));
  }

  /**
   * The route module's exported `config` and methods (loaded in a worker). Cached per route
   * file and version, so the cache holds at most one entry per route file that exists: a
   * miss (any of the endless strings that name no file) costs a few stat calls, never an entry.
   */
  describe(where: { connectorDir?: string; routesDir?: string }, version: string, route: string): Promise<RouteDescription | null> {
    const dir = this.dirOf(where);
    const file = this.routeModule(dir, route);
    if (!file) return Promise.resolve(null);
    const key = `${file}@${version}`;
    let cached = this.described.get(key);
    if (!cached) {
      cached = this.loadDescription(dir, version, route, file);
      cached.catch(() => this.described.delete(key));
      this.described.set(key, cached);
    }
    return cached;
  }

  /** describe() plus the access the host enforces (the server's API-key decision). */
  async describeAccess(where: { connectorDir?: string; routesDir?: string }, manifest: ConnectorManifest, route: string): Promise<DescribedRouteAccess | null> {
    const described = await this.describe(where, manifest.version, route);
    return described ? { ...described, access: routeAccess(manifest, route, described.config?.auth) } : null;
  }

  /** How many route descriptions are cached (at most one per existing route file and version). */
  get describedCacheSize(): number {
    return this.described.size;
  }

  private async loadDescription(dir: string, version: string, route: string, file: string): Promise<RouteDescription> {
    const pool = this.pool(dir, version, file);
    const worker = await pool.acquire();
    let healthy = false;
    try {
      const answer = await worker.describe(this.nextInvocation++, pathToFileURL(file).href);
      healthy = !("dirty" in answer && answer.dirty);
      if (answer.type === "described") return { file, config: answer.config, methods: answer.methods };
      throw new Error(answer.type === "failed" ? `could not load route ${route}: ${answer.error.message}` : "unexpected worker answer");
    } finally {
      pool.release(worker, healthy);
    }
  }

  async runRoute(request: RunRouteRequest): Promise<RouteRunResult> {
    const opened = await this.openExecutor(request);
    if (!("worker" in opened)) return opened;
    let healthy = false;
    try {
      const settled = await this.invokeOn(opened, request).settled;
      healthy = settled.healthy;
      // Only an invocation with `checkpointFrom` is ever skipped.
      return settled.result === SKIPPED ? this.unstartedFailure(performance.now(), 500, "error", "route_failed", "unexpected worker answer") : settled.result;
    } finally {
      opened.release(healthy);
    }
  }

  /**
   * Pages of one stream in one worker (the sync engine's): `follow()` sends the next page while
   * the one before it runs, and a worker thread starts it the moment that one answers, on the
   * checkpoint it staged (follow-on.ts), without waiting for the main thread.
   */
  pageChain(request: Omit<RunRouteRequest, "checkpoints" | "onCallAnswered">, stream: string): PageChain {
    return new PageChain(
      {
        open: () => this.openExecutor(request),
        invoke: (opened, page) => this.invokeOn(opened, { ...request, ...page }),
        followedOn: () => void this.followOnPageCount++,
      },
      stream,
    );
  }

  /** The route's file and a worker (or child) of its pool, or the result of why it cannot run. */
  private async openExecutor(request: RunRouteRequest): Promise<OpenedExecutor | RouteRunResult> {
    const started = performance.now();
    const { services } = request;
    const dir = this.dirOf(request);
    const file = this.routeModule(dir, request.route);
    if (!file) return this.unstartedFailure(started, 404, "not_found", "route_not_found", `connector has no route ${request.route}`);
    let pool: WorkerPool;
    try {
      pool = this.pool(dir, services.manifest.version, file, services.connectionId);
    } catch (error) {
      if (error instanceof IsolationError) return this.unstartedFailure(started, 500, "error", error.code, error.message);
      throw error;
    }
    if (pool.isolated && !/\.m?js$/.test(file))
      return this.unstartedFailure(
        started,
        500,
        "error",
        ISOLATED_NEEDS_JAVASCRIPT,
        `isolated mode runs built JavaScript routes; ${request.route} is ${file} (build the connector, or run it trusted)`,
      );
    try {
      const worker = await pool.acquire();
      return { worker, moduleUrl: pathToFileURL(file).href, release: (healthy) => pool.release(worker, healthy) };
    } catch (error) {
      const code = error instanceof IsolationError ? error.code : "worker_failed";
      return this.unstartedFailure(started, 500, "crashed", code, `could not start a route worker: ${(error as Error).message}`);
    }
  }

  /** A result for a route that never ran: nothing staged, nothing logged; its body redacted like any answer's. */
  private unstartedFailure(started: number, status: number, outcome: RouteOutcome, code: string, message: string): RouteRunResult {
    return {
      status,
      headers: { "content-type": "application/json" },
      bodyText: this.redactor.redactString(errorBodyText(code, message)),
      staged: emptyStaged(),
      logs: [],
      durationMs: performance.now() - started,
      outcome,
    };
  }

  /**
   * One invocation on a held executor. `follows`: the next page of a chain, sent now; its
   * deadline starts when the page before it answered (it runs from then on).
   */
  private invokeOn(opened: OpenedExecutor, request: RunRouteRequest & ChainedPage): ChainInvocation {
    const started = performance.now();
    const { services, follows } = request;
    const session = new RouteSession(services, this.transport(services), this.limits, this.redactor, request.checkpoints);
    const finish = (status: number, outcome: RouteOutcome, bodyText: string, headers: Record<string, string> = { "content-type": "application/json" }): RouteRunResult => {
      session.close();
      return {
        status,
        headers,
        bodyText: this.redactor.redactString(bodyText),
        staged: session.staged,
        logs: session.logs,
        durationMs: performance.now() - started,
        outcome,
        ...(session.grant !== undefined ? { grant: session.grant } : {}),
      };
    };
    const failure = (status: number, outcome: RouteOutcome, code: string, message: string) => finish(status, outcome, errorBodyText(code, message));
    const invocationId = this.nextInvocation++;
    const timeoutMs = request.routeTimeoutMs ?? this.options.routeTimeoutMs ?? 60_000;
    // Time inside Files.download does not count (deadline.ts); the session pauses the clock.
    let deadline: RouteDeadline | undefined;
    let ended = false;
    const startDeadline = () => {
      if (ended) return new Promise<never>(() => undefined);
      session.deadline = deadline = new RouteDeadline(timeoutMs);
      return deadline.expired;
    };
    const answer = opened.worker.invoke(
      {
        type: "invoke",
        invocationId,
        moduleUrl: opened.moduleUrl,
        exportName: (request.method ?? "POST").toUpperCase(),
        input: {
          method: (request.method ?? "POST").toUpperCase(),
          path: request.route,
          query: request.input?.query ?? {},
          headers: request.input?.headers ?? {},
          rawBodyBytes: request.input?.rawBodyBytes ?? new TextEncoder().encode(request.input?.rawBody ?? ""),
        },
        manifest: services.manifest,
        connectionInfo: {
          connectionId: services.connectionId,
          connectorKey: services.manifest.key,
          ...(services.providerAccount?.id ? { providerAccountId: services.providerAccount.id } : {}),
          ...(services.providerAccount?.name ? { providerAccountName: services.providerAccount.name } : {}),
        },
        readableSettings: readableSettings(services),
        ...(request.checkpoints ? { checkpoints: request.checkpoints } : {}),
        ...(follows ? { checkpointFrom: { invocationId: follows.invocationId, stream: follows.stream } } : {}),
        callTimeoutMs: Math.min(this.options.callTimeoutMs ?? 30_000, timeoutMs),
      },
      // onCallAnswered on the next turn: after the pool has posted the reply (when this promise settles).
      (call) => this.answerCall(session, call).finally(() => request.onCallAnswered && setImmediate(request.onCallAnswered)),
    );
    const expired = follows ? follows.answered.then(startDeadline) : startDeadline();
    const settled = (async (): Promise<{ result: RouteRunResult | typeof SKIPPED; healthy: boolean }> => {
      let healthy = false;
      try {
        const outcome = await Promise.race([answer, expired]).catch((f: unknown) => (f instanceof WorkerFailure ? f : new WorkerFailure("crashed", String(f))));
        if (outcome === "timeout") return { result: failure(504, "timeout", "route_timeout", `route ${request.route} did not finish within ${timeoutMs} ms`), healthy };
        if (outcome instanceof WorkerFailure)
          return { result: failure(500, outcome.code === ROUTE_MEMORY_LIMIT ? "memory_limit" : "crashed", outcome.code, outcome.message), healthy };
        // A worker whose invocation left timers running or pinned a global is replaced rather than reused.
        healthy = !("dirty" in outcome && outcome.dirty);
        if (outcome.type === "skipped") return { result: SKIPPED, healthy };
        // A failed route's batched calls run too (its logs are kept); a refused one fails the route that answered.
        const refused = outcome.type === "result" || outcome.type === "failed" ? await this.runDeferred(session, outcome.deferred) : undefined;
        if (refused && outcome.type === "result") return { result: failure(500, "error", refused.code ?? "route_failed", refused.message), healthy };
        if (outcome.type === "result") return { result: finish(outcome.status, "ok", outcome.bodyText, outcome.headers), healthy };
        if (outcome.type === "failed")
          return {
            result: failure(500, outcome.error.code === ROUTE_MEMORY_LIMIT ? "memory_limit" : "error", outcome.error.code ?? "route_failed", outcome.error.message),
            healthy,
          };
        return { result: failure(500, "error", "route_failed", "unexpected worker answer"), healthy };
      } finally {
        ended = true;
        deadline?.clear();
        session.close();
      }
    })();
    return {
      invocationId,
      answered: answer.then(
        () => undefined,
        () => undefined,
      ),
      settled,
    };
  }

  /**
   * The calls the route batched after its last blocking one, run before its answer is taken
   * (its checkpoint and records are staged by then). One the session refuses fails the
   * invocation: nothing of it is committed.
   */
  private async runDeferred(session: RouteSession, deferred: unknown): Promise<BridgeError | undefined> {
    if (deferred === undefined) return undefined;
    try {
      await session.runDeferred(deferred);
      return undefined;
    } catch (error) {
      return errorToBridge(error, this.redactor);
    }
  }

  /** One SDK call answered by the invocation's session, as the reply that crosses back (errors redacted). */
  private answerCall(session: RouteSession, call: BridgeCall): Promise<BridgeReply> {
    this.bridgeRoundTripCount++;
    return session.handle(call).then(
      (value): BridgeReply => ({ id: call.id, ok: true, value }),
      (error: unknown): BridgeReply => ({ id: call.id, ok: false, error: errorToBridge(error, this.redactor) }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    const spare = this.spare;
    this.spare = undefined;
    await Promise.all([...this.pools.values()].map((p) => p.close()).concat(spare ? [spare.terminate()] : []));
    this.pools.clear();
    this.described.clear();
    await this.ownTransport?.close();
    this.ownTransport = undefined;
  }
}
