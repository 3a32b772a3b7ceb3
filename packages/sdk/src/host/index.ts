// @backfill-io/sdk/host: the host-binding contract. What a host implements to run connector code
// (the Backfill host's worker bridge, the test runtime), and a connector never imports: installing
// a binding, the request shapes a binding receives, errors crossing the bridge as JSON.
export { bindHost, currentBinding, isHostBound, oauthAuthHeader, type HostBinding, type HttpRequestSpec, type FileDownloadSpec } from "../runtime/binding.js";
export { errorFromJSON, NoHostBoundError } from "../runtime/errors.js";
export { isRoute, normalizeRouteInput, serialisedBodyText } from "../api/api.js";
export type { ValidatedDeletion } from "../policy/commit.js";
export type { IngestItem } from "../policy/ingest.js";
