// The bulk fixture connector (Files.*) and what a runner test needs to run it.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConnector, type ConnectorManifest } from "@backfill-io/sdk";
import { createDownloadTransport, FileStore, routeFiles } from "../../src/files/index.js";
import { providerRouter } from "../../src/http/provider-routes.js";
import { fakeServices, PROVIDER_HOST, type FakeServices } from "../runner/support.js";

export const BULK_DIR = fileURLToPath(new URL("../fixtures/bulk", import.meta.url));
export const BULK_ROUTES = join(BULK_DIR, "src", "api");
/** A signed-URL storage host: allowed by a wildcard pattern only, so never a token host. */
export const STORAGE_HOST = "bucket.storage.provider.test";

export function bulkManifest(port: number): ConnectorManifest {
  return defineConnector({
    key: "bulk",
    name: "Bulk",
    version: "0.1.0",
    permissions: {
      http: [`http://127.0.0.1:${port}/*`, `https://${PROVIDER_HOST}/*`, "https://*.storage.provider.test/*"],
      entities: { Customer: ["write"] },
      secrets: {},
      files: { maxBytes: 2 * 1024 ** 3 },
    },
    connection: {
      oauth: {
        type: "authorization_code",
        authorizationUrlTemplate: `https://${PROVIDER_HOST}/oauth/authorize`,
        tokenUrlTemplate: `https://${PROVIDER_HOST}/oauth/token`,
        client: { credentialKey: "bulk_app" },
      },
      settingsSchema: { properties: { base_url: { type: "string" }, lines_per_page: { type: "integer" }, ingest: { type: "boolean" } } },
    },
    streams: [{ name: "bulk_customers", route: "/sync/bulk_customers", entity: "customer" }],
  });
}

/** Provider and storage hosts both go to the local test server. */
export function routeToServer(base: string) {
  return providerRouter([
    { match: `https://${PROVIDER_HOST}`, target: base },
    { match: "https://*.storage.provider.test", target: base },
  ]);
}

export type BulkServices = FakeServices & { files: ReturnType<typeof routeFiles> & { transport: ReturnType<typeof createDownloadTransport> } };

export function bulkServices(port: number, base: string, opts: { chunkTimeoutMs?: number } = {}): BulkServices {
  const store = new FileStore({ dir: join(mkdtempSync(join(tmpdir(), "backfill-files-")), "files") });
  const transport = createDownloadTransport({ route: routeToServer(base), ...(opts.chunkTimeoutMs ? { chunkTimeoutMs: opts.chunkTimeoutMs } : {}) });
  return fakeServices(port, { manifest: bulkManifest(port), files: routeFiles(store, transport) }) as BulkServices;
}
