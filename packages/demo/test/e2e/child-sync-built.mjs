// One sync of one stream with everything as built: plain node (no tsx), @backfill-io/host
// from dist, the connectors' dist routes, so the route workers load no TypeScript loader.
// That is how `backfill sync` runs in production. Prints one JSON line: the sync result and
// how many route workers the runner started.
// Usage: node child-sync-built.mjs <dataDir> <connectionId> <stream>
import { fileURLToPath } from "node:url";
import { openHost, RouteRunner, silentLogger, syncEngineForHost, workspaceConnectorRegistry } from "@backfill-io/host";

const [dataDir, connectionId, stream] = process.argv.slice(2);
const host = await openHost({
  dataDir,
  logger: silentLogger,
  connectors: workspaceConnectorRegistry({ resolveFrom: [fileURLToPath(new URL("../..", import.meta.url))] }),
});
const runner = new RouteRunner({ mode: "dist" });
const result = await syncEngineForHost(host, runner).sync(connectionId, stream);
process.stdout.write(`${JSON.stringify({ outcome: result.outcome, pages: result.pages, error: result.error ?? null, workersStarted: runner.workersStarted })}\n`);
await runner.close();
await host.close();
