// Opens everything this part of the host needs, wired together: the database (migrated),
// the vault (master key from env or the data dir), credentials, HostHttp, the OAuth flow
// and the token manager. Callers close() it when done.
import { openDatabase, resolveDatabaseUrl, resolveDataDir } from "../store/open.js";
import { ensureDataDir } from "../store/data-dir.js";
import { Store } from "../store/store.js";
import { loadMasterKey, masterKeyCandidates } from "../vault/master-key.js";
import { CachedKeyringReader, type KeyringReader } from "../vault/keyring-reader.js";
import { sqliteKeyringReader } from "../store/repositories/keyring.js";
import { Vault } from "../vault/vault.js";
import { Credentials } from "../credentials/credentials.js";
import { createHostHttp, type HostHttp } from "../http/host-http.js";
import { parseProviderRoutes, type ProviderRoute } from "../http/provider-routes.js";
import { OAuthFlow } from "../oauth/flow.js";
import { oauthFlowError } from "../oauth/errors.js";
import type { PostConnectRunner } from "../oauth/post-connect.js";
import { TokenManager, type TokenManagerOptions } from "../tokens/token-manager.js";
import { workspaceConnectorRegistry, type ConnectorRegistry } from "./connectors.js";
import { createHostLogger, type HostLogger } from "./logger.js";
import { createHostFiles, type HostFiles } from "../files/host-files.js";
import { providerRouter } from "../http/provider-routes.js";
import { ProviderRegistry, type ProviderPlugin } from "@backfill-io/sdk";
import { registerProviderPlugin, registeringProviderPlugins } from "./provider-plugins.js";

export type OpenHostOptions = {
  /** Default: BACKFILL_DATA_DIR, else ./.backfill */
  dataDir?: string;
  /**
   * A postgres:// URL (default BACKFILL_DATABASE_URL): the store on PostgreSQL instead of
   * SQLite in the data dir. The data dir still holds master.key (unless BACKFILL_MASTER_KEY)
   * and downloaded files.
   */
  databaseUrl?: string;
  /** PostgreSQL only: apply pending migrations on open (default false: database_schema_behind). */
  migrate?: boolean;
  /** PostgreSQL only: how often the vault re-reads the keyring generation (default 1 s). */
  keyringPollMs?: number;
  /** Base64 of 32 bytes; default BACKFILL_MASTER_KEY, else <dataDir>/master.key. */
  masterKey?: string;
  logger?: HostLogger;
  connectors?: ConnectorRegistry;
  /**
   * Provider plug-ins registered at open, beside the ones the connectors' manifest
   * modules export (registered as each connector loads).
   */
  providers?: readonly ProviderPlugin[];
  /** Dev/demo only; default BACKFILL_PROVIDER_ROUTES. */
  providerRoutes?: ProviderRoute[];
  /** Replaces HostHttp entirely (tests). */
  http?: HostHttp;
  /** How postConnect routes are run; required for completeAuthorization. */
  postConnect?: PostConnectRunner;
  tokens?: TokenManagerOptions;
  clock?: () => number;
};

export type Host = {
  dataDir: string;
  /** The SQLite file; null on PostgreSQL. */
  dbFile: string | null;
  /** Where the database is: the SQLite file, or the PostgreSQL URL without its password. */
  databaseLocation: string;
  databaseDialect: "sqlite" | "postgres";
  store: Store;
  vault: Vault;
  /** Where the master key came from: BACKFILL_MASTER_KEY, or `file` (<dataDir>/master.key). */
  masterKey: { source: string; file: string | null };
  credentials: Credentials;
  http: HostHttp;
  connectors: ConnectorRegistry;
  providers: ProviderRegistry;
  logger: HostLogger;
  oauth: OAuthFlow;
  tokens: TokenManager;
  /** Downloaded provider files under <dataDir>/files (Files.*). */
  files: HostFiles;
  close(): Promise<void>;
};

const noPostConnectRunner: PostConnectRunner = async (_connectionId, route) => {
  throw oauthFlowError("post_connect_failed", `no route runner is configured to call ${route.route}`);
};

export async function openHost(opts: OpenHostOptions = {}): Promise<Host> {
  const logger = opts.logger ?? createHostLogger();
  const dataDir = resolveDataDir(opts.dataDir);
  ensureDataDir(dataDir);
  const env = opts.masterKey ? { ...process.env, BACKFILL_MASTER_KEY: opts.masterKey } : process.env;
  const warn = (m: string, f?: Record<string, unknown>) => logger.warn(m, f);
  const databaseUrl = resolveDatabaseUrl({ databaseUrl: opts.databaseUrl });
  // SQLite: before the database is opened, so a missing key next to an existing database writes nothing.
  let master = databaseUrl === undefined ? loadMasterKey({ dataDir, env, warn }) : undefined;
  const opened = await openDatabase({ dataDir, ...(databaseUrl !== undefined ? { databaseUrl } : {}), ...(opts.migrate !== undefined ? { migrate: opts.migrate } : {}) });
  let keyring: KeyringReader | undefined;
  try {
    const store = new Store(opened.db, opts.clock, opened.sqlite);
    // PostgreSQL: opening wrote nothing; a keyring already there must not get a new master key.
    master ??= loadMasterKey({ dataDir, env, warn, ...((await store.keyring.hasKeys()) ? { externalKeyring: { location: opened.location } } : {}) });
    keyring = opened.sqlite
      ? sqliteKeyringReader(opened.sqlite)
      : await CachedKeyringReader.start(store.keyring, opts.keyringPollMs !== undefined ? { pollMs: opts.keyringPollMs } : {});
    const vault = await Vault.open(store, master.key, {
      keyring,
      masterKeyCandidates: () => masterKeyCandidates({ dataDir, env }),
      masterKeySource: master.source,
    });
    const credentials = new Credentials(store, vault);
    const ownHttp = opts.http ? undefined : createHostHttp({ providerRoutes: opts.providerRoutes ?? parseProviderRoutes(process.env.BACKFILL_PROVIDER_ROUTES) });
    const http = opts.http ?? ownHttp!;
    const files = createHostFiles({
      dataDir: opened.dataDir,
      route: providerRouter(opts.providerRoutes ?? parseProviderRoutes(process.env.BACKFILL_PROVIDER_ROUTES)),
      ...(opts.clock ? { now: opts.clock } : {}),
    });
    const providers = new ProviderRegistry();
    for (const plugin of opts.providers ?? []) registerProviderPlugin(providers, plugin);
    const connectors = registeringProviderPlugins(opts.connectors ?? workspaceConnectorRegistry(), providers);
    const oauth = new OAuthFlow({ store, vault, credentials, http, connectors, providers, logger, postConnect: opts.postConnect ?? noPostConnectRunner });
    const tokens = new TokenManager({ store, vault, credentials, http, connectors, providers, logger }, opts.tokens);
    return {
      dataDir: opened.dataDir,
      dbFile: opened.file,
      databaseLocation: opened.location,
      databaseDialect: opened.dialect,
      store,
      vault,
      masterKey: { source: master.source, file: master.file },
      credentials,
      http,
      connectors,
      providers,
      logger,
      oauth,
      tokens,
      files,
      async close() {
        await files.close();
        await ownHttp?.close();
        keyring?.close?.();
        await opened.close();
      },
    };
  } catch (error) {
    keyring?.close?.();
    await opened.close();
    throw error;
  }
}
