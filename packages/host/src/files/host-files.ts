// What a host holds for files: the store under <data dir>/files and the download transport.
import { join } from "node:path";
import { FileStore } from "./file-store.js";
import { createDownloadTransport, downloadFile, type DownloadTransport, type DownloadTransportOptions } from "./download.js";
import type { RouteFiles } from "../runner/services.js";

/** `download`: the runner's Files.download service (runner/services.ts RouteFiles) over this store and transport. */
export type HostFiles = { store: FileStore; transport: DownloadTransport; download: RouteFiles["download"]; close(): Promise<void> };

/** The runner's files service over a store and a download transport. */
export function routeFiles(store: FileStore, transport: DownloadTransport): { store: FileStore; transport: DownloadTransport } & RouteFiles {
  return { store, transport, download: (spec, ctx) => downloadFile(spec, { ...ctx, store, transport }) };
}

export type HostFilesOptions = DownloadTransportOptions & { dataDir: string; retentionMs?: number; now?: () => number };

export function createHostFiles(options: HostFilesOptions): HostFiles {
  const transport = createDownloadTransport(options);
  const store = new FileStore({
    dir: join(options.dataDir, "files"),
    ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return { ...routeFiles(store, transport), close: () => transport.close() };
}
