// What the OAuth flow needs from the rest of the host.
import type { Store } from "../store/store.js";
import type { Vault } from "../vault/vault.js";
import type { Credentials } from "../credentials/credentials.js";
import type { HostHttp } from "../http/host-http.js";
import type { ConnectorRegistry } from "../app/connectors.js";
import type { HostLogger } from "../app/logger.js";
import type { ProviderRegistry } from "@backfill-io/sdk";
import type { PostConnectRunner } from "./post-connect.js";

export type OAuthFlowDeps = {
  store: Store;
  vault: Vault;
  credentials: Credentials;
  http: HostHttp;
  connectors: ConnectorRegistry;
  /** The provider plug-ins (normalizers, callback verifiers, token migrations) by name. */
  providers: ProviderRegistry;
  postConnect: PostConnectRunner;
  logger: HostLogger;
};

/** How long a started authorization may wait for its callback. */
export const STATE_TTL_MS = 10 * 60_000;
