// The <connection> argument of sync, runs and records: an id, or a connector key with one connection.
import type { ConnectionRow, Host } from "@backfill-io/host";
import { CliError } from "./errors.js";
import { AMBIGUOUS_CONNECTION } from "./error-codes.js";
import { CONNECTION_NOT_FOUND } from "@backfill-io/sdk";

/** A connection by id, or by the key of the only connection of that connector. */
export async function resolveConnection(host: Host, ref: string): Promise<ConnectionRow> {
  const byId = await host.store.connections.get(ref);
  if (byId) return byId;
  const ofConnector = await host.store.connections.list({ connectorKey: ref });
  if (ofConnector.length === 1) return ofConnector[0]!;
  if (ofConnector.length > 1) {
    throw new CliError(AMBIGUOUS_CONNECTION, `${ref} has ${ofConnector.length} connections`, `pass one id: ${ofConnector.map((c) => c.id).join(", ")}`);
  }
  throw new CliError(CONNECTION_NOT_FOUND, `no connection ${ref}`, "see the ids with backfill connections list, or create one with backfill connect <connector>");
}

/** Each connection's connector key by connection id (the connector column of runs and records). */
export async function connectorKeysById(host: Host): Promise<Map<string, string>> {
  return new Map((await host.store.connections.list()).map((c) => [c.id, c.connector_key]));
}
