// Large provider files: host storage and the streamed download.
export { FileStore } from "./file-store.js";
export { createDownloadTransport } from "./download.js";
export { routeFiles } from "./host-files.js";
