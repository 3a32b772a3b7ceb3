// (lead's scratch, not committed) a Postgres for a manual demo run
import { startTestPostgres } from "./src/index.ts";
const pg = await startTestPostgres();
const url = await pg.createDatabase();
console.log("URL " + url);
process.on("SIGTERM", async () => { await pg.stop(); process.exit(0); });
setInterval(() => {}, 1 << 30);
