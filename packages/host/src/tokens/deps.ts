import type { Store } from "../store/store.js";
import type { Vault } from "../vault/vault.js";
import type { Credentials } from "../credentials/credentials.js";
import type { HostHttp } from "../http/host-http.js";
import type { ConnectorRegistry } from "../app/connectors.js";
import type { HostLogger } from "../app/logger.js";
import type { ProviderRegistry } from "@backfill-io/sdk";

export type TokenDeps = {
  store: Store;
  vault: Vault;
  credentials: Credentials;
  http: HostHttp;
  connectors: ConnectorRegistry;
  /** The provider plug-ins (normalizers, callback verifiers, token migrations) by name. */
  providers: ProviderRegistry;
  logger: HostLogger;
};
