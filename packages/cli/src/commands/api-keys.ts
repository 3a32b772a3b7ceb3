// backfill keys list | revoke: the host API keys (what `keys create` made). Never the
// key itself: only its id, name and prefix; a revoked key is refused by every running
// server on its next request (each request looks the key up).
import type { Command } from "commander";
import { revokeApiKey } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { isoTime, printJson, printTable } from "../output.js";

const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function registerApiKeys(keys: Command, ctx: CliContext): void {
  keys
    .command("list")
    .description("list host API keys: id, name, prefix, created, last used, revoked (never the key)")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  $ backfill keys list\n  $ backfill keys list --json | jq -r '.[] | select(.revokedAt == null) | .id'")
    .action(async (opts: { json?: boolean }) => {
      const host = await ctx.openHost();
      const rows = await host.store.apiKeys.list();
      if (opts.json) {
        return printJson(
          ctx.io,
          rows.map((r) => ({
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            createdAt: isoTime(r.created_at),
            lastUsedAt: isoOrNull(r.last_used_at),
            revokedAt: isoOrNull(r.revoked_at),
          })),
        );
      }
      if (rows.length === 0) return ctx.io.stdout("no host API keys; create one with: backfill keys create --name <name>\n");
      printTable(
        ctx.io,
        ["id", "name", "prefix", "created", "last used", "revoked"],
        rows.map((r) => [r.id, r.name, `${r.prefix}…`, isoTime(r.created_at), isoTime(r.last_used_at), isoTime(r.revoked_at)]),
      );
    });

  keys
    .command("revoke")
    .description("revoke a host API key: running servers refuse it on the next request")
    .argument("<id>", "the key's id (backfill keys list)")
    .addHelpText("after", "\nExamples:\n  $ backfill keys revoke key_3f9a0c1d2e4b5a69")
    .action(async (id: string) => {
      const host = await ctx.openHost();
      const row = await revokeApiKey(host.store, id);
      ctx.io.stdout(`revoked host API key ${row.id} (${row.name}); requests with it are refused from now on\n`);
    });
}
