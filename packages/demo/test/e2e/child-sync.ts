// One sync of one stream in its own process, on an existing data dir (the SIGKILL test
// kills it mid-run). Provider routing comes from BACKFILL_PROVIDER_ROUTES, as in `backfill sync`.
// Usage: node --import tsx --conditions=source child-sync.ts <dataDir> <connectionId> <stream>
import { fileURLToPath } from "node:url";
import { openHost, RouteRunner, silentLogger, syncEngineForHost, workspaceConnectorRegistry } from "@backfill-io/host";

const [dataDir, connectionId, stream] = process.argv.slice(2) as [string, string, string];
const host = await openHost({
  dataDir,
  logger: silentLogger,
  // The connectors the CLI package depends on, from their TypeScript source.
  connectors: workspaceConnectorRegistry({ resolveFrom: [fileURLToPath(new URL("../..", import.meta.url))] }),
});
const runner = new RouteRunner({ mode: "source" });
const result = await syncEngineForHost(host, runner).sync(connectionId, stream, {
  onProgress: (p) => process.stdout.write(`page ${p.pages} records ${p.records}\n`),
});
process.stdout.write(`done ${result.outcome} ${result.error ?? ""}\n`);
await runner.close();
await host.close();
