// Large provider files: host storage and the streamed download.
export { FileStore, type FileStoreOptions, type PartialFile } from "./file-store.js";
export { createDownloadTransport, downloadFile, CappedDigest, type DownloadContext, type DownloadRequest, type DownloadResponse, type DownloadTransport, type DownloadTransportOptions } from "./download.js";
export { createHostFiles, routeFiles, type HostFiles, type HostFilesOptions } from "./host-files.js";
