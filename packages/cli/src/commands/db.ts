// backfill db migrate: brings the database's schema to this version's. SQLite migrates on
// every open anyway; a PostgreSQL database shared by many hosts is migrated only here, once,
// so an old host still running is never surprised by a schema it does not know.
import type { Command } from "commander";
import { openDatabase } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { printJson } from "../output.js";

export function registerDb(program: Command, ctx: CliContext): void {
  const db = program
    .command("db")
    .description("the host database (SQLite in the data dir, or PostgreSQL with --database-url)")
    .addHelpText("after", "\nExamples:\n  $ backfill --database-url postgres://backfill@db.internal/backfill db migrate");
  db.command("migrate")
    .description("apply this version's pending migrations (refused when a newer backfill migrated the database)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Run it once, from one machine, before starting hosts of a new version on a shared PostgreSQL
database (they refuse a database behind them with database_schema_behind). SQLite data dirs
migrate when a command opens them.

Examples:
  $ backfill db migrate
  $ BACKFILL_DATABASE_URL=postgres://backfill:…@db.internal:5432/backfill backfill db migrate --json`,
    )
    .action(async (opts: { json?: boolean }) => {
      const dataDir = ctx.dataDir();
      const databaseUrl = ctx.databaseUrl();
      const opened = await openDatabase({ ...(dataDir ? { dataDir } : {}), ...(databaseUrl ? { databaseUrl } : {}), migrate: true });
      try {
        if (opts.json) return printJson(ctx.io, { database: opened.location, dialect: opened.dialect, applied: opened.migrated });
        if (!opened.migrated.length) ctx.io.stdout(`${opened.location} is up to date\n`);
        else ctx.io.stdout(`${opened.location}: applied ${opened.migrated.join(", ")}\n`);
      } finally {
        await opened.close();
      }
    });
}
