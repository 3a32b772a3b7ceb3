// A SyncEngine over an opened host (part 1) and a route runner.
import type { Host } from "./open-host.js";
import { hostConnectionServices } from "./runner-services.js";
import type { RouteRunner } from "../runner/runner.js";
import { SyncEngine } from "../sync/sync.js";

export function syncEngineForHost(host: Host, runner: RouteRunner): SyncEngine {
  return new SyncEngine({ store: host.store, runner, resolve: (connectionId) => hostConnectionServices(host, connectionId) });
}
