// What the main thread needs from the rest of the host to answer a route's SDK calls.
// Host part 1 implements it over its Store and TokenManager; tests plug in fakes.
import type { AccessTokenOptions, CheckpointState, ConnectorManifest, LogLevel, RecordsRedaction } from "@backfill-io/sdk";
import type { HttpTransport } from "./http.js";
import type { HostFiles } from "../files/host-files.js";

export type RouteLogEntry = { level: LogLevel; message: string; fields?: Record<string, unknown>; at: number };

export interface ConnectionServices {
  readonly connectionId: string;
  readonly manifest: ConnectorManifest;
  /** Validated, normalized settings (secret settings are read through `secret`). */
  readonly settings: Record<string, unknown>;
  /** The provider account the connection was authorized for, when known (Connection.info()). */
  readonly providerAccount?: { id?: string | undefined; name?: string | undefined };
  /** A secret value (a secret setting or a host-held secret), undefined when unset. */
  secret(name: string): string | undefined | Promise<string | undefined>;
  /** The connection's OAuth access token; rejects with a reauth_required error when it cannot be had. */
  accessToken(opts: AccessTokenOptions): Promise<string>;
  /**
   * The token with what identifies its grant (opaque, changes with every new token), used
   * instead of accessToken when present: the run's result names the grant the route was given
   * (RouteRunResult.grant), so a 401 can be told apart from a grant replaced meanwhile.
   */
  accessTokenGrant?(opts: AccessTokenOptions): Promise<{ token: string; grant: string }>;
  /** The stream's last committed checkpoint. */
  committedCheckpoint(stream: string): CheckpointState | undefined | Promise<CheckpointState | undefined>;
  /** How many stored records a redaction selector matches (Records.redact's answer). */
  countRedactable?(selector: RecordsRedaction): number | Promise<number>;
  /** True when any of the webhook delivery ids was already processed (Webhooks.alreadyProcessed); absent: none was. */
  webhookDeliveryProcessed?(deliveryIds: string[]): boolean | Promise<boolean>;
  /** Receives every (redacted) log line as it happens. */
  log?(entry: RouteLogEntry): void;
  /** Sends HTTP (e.g. host part 1's HostHttp with provider routing); default: undici direct. */
  transport?: HttpTransport;
  /** Downloaded provider files (Files.*); absent: the host does not support files. */
  files?: Pick<HostFiles, "store" | "transport">;
}
