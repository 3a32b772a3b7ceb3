// What a host holds for files: the store under <data dir>/files and the download transport.
import { join } from "node:path";
import { FileStore } from "./file-store.js";
import { createDownloadTransport, type DownloadTransport, type DownloadTransportOptions } from "./download.js";

export type HostFiles = { store: FileStore; transport: DownloadTransport; close(): Promise<void> };

export type HostFilesOptions = DownloadTransportOptions & { dataDir: string; retentionMs?: number; now?: () => number };

export function createHostFiles(options: HostFilesOptions): HostFiles {
  const transport = createDownloadTransport(options);
  const store = new FileStore({ dir: join(options.dataDir, "files"), ...(options.retentionMs !== undefined ? { retentionMs: options.retentionMs } : {}), ...(options.now ? { now: options.now } : {}) });
  return { store, transport, close: () => transport.close() };
}
