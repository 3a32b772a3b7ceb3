// What every command gets: the IO, the global options, a lazily opened host and a
// lazily created route runner (both closed by runCli when the command ends).
import {
  createPostConnectRunner,
  openHost,
  parseProviderRoutes,
  resolveDataDir,
  RouteRunner,
  type RouteIsolation,
  syncEngineForHost,
  type Host,
  type LoadedConnector,
  type PostConnectRunner,
  type SyncEngine,
} from "@backfill-io/host";
import { runningFromSource } from "@backfill-io/sdk";
import type { CliIO } from "./io.js";
import { findWorkspaceRoot } from "./workspace.js";
import { createHumanLogger } from "./human-logger.js";
import { CliConnectorRegistry } from "./connector-registry.js";

export type GlobalOptions = { dataDir?: string; databaseUrl?: string };

/**
 * "source" when this CLI runs from its TypeScript source (vitest, tsx: a TypeScript
 * loader is active), "dist" when plain node runs the built package.
 */
export function cliRunnerMode(): "source" | "dist" {
  return runningFromSource(import.meta.url) ? "source" : "dist";
}

export class CliContext {
  private host: Promise<Host> | undefined;
  private runner: RouteRunner | undefined;
  readonly connectors: CliConnectorRegistry;

  constructor(
    readonly io: CliIO,
    private readonly globals: () => GlobalOptions,
    /** Tests may inject how postConnect runs; the default runs the route in a worker through routeRunner(). */
    private readonly postConnect?: (host: Host) => PostConnectRunner,
  ) {
    this.connectors = new CliConnectorRegistry(() => this.globals().dataDir);
  }

  /** Makes a connector loaded from a directory findable by its key (connect ./path). */
  addConnector(connector: LoadedConnector): void {
    this.connectors.add(connector);
  }

  /** The --database-url option, when given (else the host's default: $BACKFILL_DATABASE_URL, else SQLite). */
  databaseUrl(): string | undefined {
    return this.globals().databaseUrl;
  }

  /** The --data-dir option, when given (else the host's default: $BACKFILL_DATA_DIR or ./.backfill). */
  dataDir(): string | undefined {
    return this.globals().dataDir;
  }

  openHost(): Promise<Host> {
    this.host ??= (async () => {
      const providerRoutes = parseProviderRoutes(process.env.BACKFILL_PROVIDER_ROUTES);
      const ref: { runner?: PostConnectRunner } = {};
      const { dataDir, databaseUrl } = this.globals();
      const host = await openHost({
        ...(dataDir ? { dataDir } : {}),
        ...(databaseUrl ? { databaseUrl } : {}),
        connectors: this.connectors,
        // Formatted lines on stderr, never pino's JSON (BACKFILL_LOG_LEVEL picks how much).
        logger: createHumanLogger(this.io),
        providerRoutes,
        postConnect: (id, route, candidate) => ref.runner!(id, route, candidate),
      });
      ref.runner = this.postConnect ? this.postConnect(host) : createPostConnectRunner(this.routeRunner(), () => host);
      return host;
    })();
    return this.host;
  }

  /** The route runner, created on first use (`isolation` applies to that first use: serve --isolate asks first). */
  routeRunner(options: { isolation?: RouteIsolation; spareWorker?: boolean } = {}): RouteRunner {
    // Isolated routes must never be able to read this host's data dir.
    // The workspace the CLI runs in holds the operator's own connectors (backfill new writes them there): trusted under "auto".
    const workspace = findWorkspaceRoot();
    this.runner ??= new RouteRunner({ mode: cliRunnerMode(), protectedPaths: [resolveDataDir(this.dataDir())], ...(workspace ? { trustedRoots: [workspace] } : {}), ...options });
    return this.runner;
  }

  /**
   * The route runner of a long-running host (`serve`, `worker`): it runs many connections, so a
   * spare worker spares each new one the wait for its worker to start.
   */
  serviceRouteRunner(opts: { isolate?: boolean }): RouteRunner {
    return this.routeRunner({ spareWorker: true, ...(opts.isolate ? { isolation: "isolated" as const } : {}) });
  }

  /** A sync engine over the opened host and the route runner. */
  async syncEngine(): Promise<SyncEngine> {
    return syncEngineForHost(await this.openHost(), this.routeRunner());
  }

  async close(): Promise<void> {
    // The runner first: its workers may still call into the host's store and vault.
    const runner = this.runner;
    this.runner = undefined;
    await runner?.close();
    if (this.host) await (await this.host.catch(() => undefined))?.close();
    this.host = undefined;
  }
}
