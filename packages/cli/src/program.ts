// The `backfill` program: global options and one register function per command group.
// To add a command group, create src/commands/<group>.ts exporting register<Group>(program, ctx)
// and call it below (`keys create`, `keys list` and `keys revoke` register on the group returned by registerKeys).
// Commands from outside the published CLI (the workspace demo) arrive as `extraCommands`.
import { Command } from "commander";
import type { CliContext, GlobalOptions } from "./context.js";
import { registerValidate } from "./commands/validate.js";
import { registerCredentials } from "./commands/credentials.js";
import { registerConnect } from "./commands/connect.js";
import { registerConnections } from "./commands/connections.js";
import { registerTokens } from "./commands/tokens.js";
import { registerKeys } from "./commands/keys.js";
import { registerKeysCreate } from "./commands/keys-create.js";
import { registerApiKeys } from "./commands/api-keys.js";
import { registerSync } from "./commands/sync.js";
import { registerRuns } from "./commands/runs.js";
import { registerRecords } from "./commands/records.js";
import { registerWebhooks } from "./commands/webhooks.js";
import { registerServe } from "./commands/serve.js";
import { registerWorker } from "./commands/worker.js";
import { registerNew } from "./commands/new.js";
import { registerDryrun } from "./commands/dryrun.js";
import { registerDb } from "./commands/db.js";
import { registerDemoPointer } from "./commands/demo-pointer.js";

/** Adds a command (or a group) to the program, like the register functions of src/commands. */
export type CommandRegistration = (program: Command, ctx: CliContext) => void;

export function buildProgram(ctx: CliContext, extraCommands: readonly CommandRegistration[] = []): Command {
  const program = new Command("backfill")
    .description("Backfill connectors: host-managed OAuth, connections and syncs")
    .option("--data-dir <dir>", "where the database and master key live (default: $BACKFILL_DATA_DIR or ./.backfill)")
    .option("--database-url <url>", "the store on PostgreSQL (postgres://user:password@host:5432/db; default: $BACKFILL_DATABASE_URL; unset: SQLite in the data dir)")
    .showHelpAfterError()
    .addHelpText(
      "after",
      `
Examples:
  $ printf %s "$ACME_CLIENT_SECRET" | backfill credentials set acme_public_app --client-id 1a2b3c
  $ backfill connect acme --setting tenant=globex
  $ backfill connections list --json
  $ backfill sync acme                 # every stream, with progress
  $ backfill dryrun acme customers --pages 2 --save connectors/acme/test/fixtures
  $ backfill runs --limit 5
  $ backfill records SalesReceipt --json
  $ backfill keys create --name billing-sync
  $ backfill serve --port 8976 --interval 15m
  $ backfill tokens refresh-due --within 7d
  $ backfill validate connectors/acme
  $ backfill new acme                  # a connector package from the template

Environment:
  BACKFILL_DATA_DIR         data directory (default ./.backfill)
  BACKFILL_DATABASE_URL     postgres://… : the store on PostgreSQL (run \`backfill db migrate\` first); unset: SQLite in the data dir
  BACKFILL_MASTER_KEY       base64 of 32 bytes; else <data dir>/master.key (generated, mode 0600, for a new data dir only)
  BACKFILL_CONNECTOR_DIRS   connector directories outside the workspace (comma-separated)
  BACKFILL_PROVIDER_ROUTES  dev only: "https://*.acme.example=http://127.0.0.1:4001,..."`,
    );

  registerValidate(program, ctx);
  registerDb(program, ctx);
  registerCredentials(program, ctx);
  registerConnect(program, ctx);
  registerConnections(program, ctx);
  registerTokens(program, ctx);
  const keys = registerKeys(program, ctx);
  registerKeysCreate(keys, ctx);
  registerApiKeys(keys, ctx);
  registerSync(program, ctx);
  registerRuns(program, ctx);
  registerRecords(program, ctx);
  registerWebhooks(program, ctx);
  registerServe(program, ctx);
  registerWorker(program, ctx);
  registerNew(program, ctx);
  registerDryrun(program, ctx);
  for (const register of extraCommands) register(program, ctx);
  // The workspace demo registers the real `demo`; the published CLI only points to it.
  if (!program.commands.some((command) => command.name() === "demo")) registerDemoPointer(program);
  return program;
}

export function globalOptionsOf(program: Command): GlobalOptions {
  return program.opts<GlobalOptions>();
}
