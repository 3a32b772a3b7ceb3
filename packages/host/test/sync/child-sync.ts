// Runs one sync in its own process (the SIGKILL test kills it mid-run).
// Usage: node --import tsx --conditions=source child-sync.ts <dataDir> <port> <connectionId>
import { openSyncHost } from "./support.js";

const [dataDir, port, connectionId] = process.argv.slice(2) as [string, string, string];
const sh = await openSyncHost(Number(port), dataDir);
const result = await sh.engine.sync(connectionId, "customers", {
  onProgress: (p) => process.stdout.write(`page ${p.pages}\n`),
});
process.stdout.write(`done ${result.outcome}\n`);
await sh.close();
