// backfill connections list|show|disconnect|migrate-tokens
import type { Command } from "commander";
import { disconnect, migrateTokens, streamScopeNotices, type ConnectionStatus, CONNECTION_STATUSES } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { INVALID_OPTION_VALUE, TOKEN_MIGRATION_FAILED } from "../error-codes.js";
import { CONNECTION_NOT_FOUND } from "@backfill-io/sdk";
import { isoTime, printJson, printTable } from "../output.js";
import { resolveConnection } from "../resolve-connection.js";

export function registerConnections(program: Command, ctx: CliContext): void {
  const connections = program
    .command("connections")
    .description("list, inspect, disconnect connections; migrate legacy tokens")
    .addHelpText(
      "after",
      `
Examples:
  $ backfill connections list --status reauth_required
  $ backfill connections show conn_123 --json      # settings, scopes, token expiry (never the tokens)
  $ backfill connections disconnect conn_123       # revokes at the provider where it can, deletes the tokens
  $ backfill connections migrate-tokens            # legacy tokens → the provider's current kind`,
    );

  connections
    .command("list")
    .description("list connections")
    .option("--status <status>", `only this status (${CONNECTION_STATUSES.join(", ")})`)
    .option("--connector <key>", "only this connector")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  $ backfill connections list --status reauth_required\n  $ backfill connections list --connector acme --json")
    .action(async (opts: { status?: string; connector?: string; json?: boolean }) => {
      if (opts.status && !(CONNECTION_STATUSES as readonly string[]).includes(opts.status)) {
        throw new CliError(INVALID_OPTION_VALUE, `unknown status ${opts.status}`, `use one of ${CONNECTION_STATUSES.join(", ")}`);
      }
      const host = await ctx.openHost();
      const rows = await host.store.connections.list({
        ...(opts.status ? { status: opts.status as ConnectionStatus } : {}),
        ...(opts.connector ? { connectorKey: opts.connector } : {}),
      });
      const list = rows.map((c) => ({
        id: c.id,
        connector: c.connector_key,
        version: c.connector_version,
        status: c.status,
        statusReason: c.status_reason,
        providerAccountId: c.provider_account_id,
        providerAccountName: c.provider_account_name,
        connectedAt: c.connected_at,
      }));
      if (opts.json) return printJson(ctx.io, list);
      if (!list.length) return ctx.io.stdout("no connections; create one with backfill connect <connector>\n");
      printTable(
        ctx.io,
        ["id", "connector", "status", "account", "connected"],
        list.map((c) => [c.id, c.connector, c.statusReason ? `${c.status} (${c.statusReason})` : c.status, c.providerAccountName ?? c.providerAccountId, isoTime(c.connectedAt)]),
      );
    });

  connections
    .command("show")
    .description("show one connection: settings, status, token expiry and scopes (never the tokens)")
    .argument("<connection>", "connection id, or a connector key that has exactly one connection")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  $ backfill connections show conn_123\n  $ backfill connections show acme            # the only acme connection\n  $ backfill connections show conn_123 --json | jq .token",
    )
    .action(async (ref: string, opts: { json?: boolean }) => {
      const host = await ctx.openHost();
      const c = await resolveConnection(host, ref);
      const id = c.id;
      const tokens = await host.store.tokens.get(id);
      const detail = {
        id: c.id,
        connector: c.connector_key,
        version: c.connector_version,
        status: c.status,
        statusReason: c.status_reason,
        settings: c.settings,
        secretSettings: await host.store.connectionSecrets.listNames(id),
        providerAccount: { id: c.provider_account_id, name: c.provider_account_name, domain: c.provider_account_domain },
        createdAt: c.created_at,
        connectedAt: c.connected_at,
        token: tokens
          ? {
              scopes: tokens.scopes,
              expiresAt: tokens.expires_at,
              hasRefreshToken: tokens.refresh_token_enc !== null,
              refreshExpiresAt: tokens.refresh_expires_at,
              obtainedAt: tokens.obtained_at,
            }
          : null,
        recentRuns: (await host.store.syncRuns.list({ connectionId: id, limit: 5 })).map((r) => ({
          id: r.id,
          stream: r.stream,
          status: r.status,
          startedAt: r.started_at,
          outcome: r.outcome,
        })),
        // What the grant's missing optional scopes make unavailable (e.g. a protected read_all_orders).
        notices: await connectionNotices(ctx, c.connector_key, id),
      };
      if (opts.json) return printJson(ctx.io, detail);
      printTable(
        ctx.io,
        ["field", "value"],
        [
          ["id", detail.id],
          ["connector", `${detail.connector} ${detail.version}`],
          ["status", detail.statusReason ? `${detail.status} (${detail.statusReason})` : detail.status],
          ["provider account", [detail.providerAccount.name, detail.providerAccount.id, detail.providerAccount.domain].filter(Boolean).join(" / ") || "-"],
          ["settings", JSON.stringify(detail.settings)],
          ["secret settings", detail.secretSettings.join(", ") || "-"],
          ["scopes", detail.token?.scopes.join(", ") ?? "-"],
          ["access token expires", detail.token ? (detail.token.expiresAt === null ? "never" : isoTime(detail.token.expiresAt)) : "no token"],
          ["refresh token expires", detail.token?.hasRefreshToken ? (detail.token.refreshExpiresAt === null ? "unknown" : isoTime(detail.token.refreshExpiresAt)) : "-"],
          ["connected", isoTime(detail.connectedAt)],
          ...detail.notices.map((n): [string, string] => ["not available", `${n.message} (streams: ${n.streams.join(", ") || "all"})`]),
        ],
      );
    });

  connections
    .command("disconnect")
    .description("revoke the tokens at the provider (where it can) and delete them")
    .argument("<id>", "connection id")
    .option("--no-revoke", "only delete the tokens locally")
    .option("--json", "print JSON")
    .addHelpText("after", "\nExamples:\n  $ backfill connections disconnect conn_123\n  $ backfill connections disconnect conn_123 --no-revoke   # the provider is unreachable")
    .action(async (id: string, opts: { revoke: boolean; json?: boolean }) => {
      const host = await ctx.openHost();
      if (!(await host.store.connections.get(id))) throw new CliError(CONNECTION_NOT_FOUND, `no connection ${id}`, "see the ids with backfill connections list");
      const result = await disconnect(host.tokens, id, { revoke: opts.revoke });
      if (opts.json) return printJson(ctx.io, result);
      const revoked = result.revoked === null ? "no revocation endpoint" : result.revoked ? "revoked at the provider" : `revocation failed (${result.revokeError ?? "unknown"})`;
      ctx.io.stdout(`disconnected ${id}: ${revoked}; tokens deleted\n`);
    });

  connections
    .command("migrate-tokens")
    .description("move legacy tokens to the provider's current kind (its plug-in's token migration, no reinstall)")
    .option("--connection <id>", "only this connection")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      "\nRun it once after switching a provider app to expiring tokens: each active connection whose provider\nplug-in has a token migration (e.g. a token exchange for non-expiring offline tokens) gets the new kind of\ntoken; other connections are listed as skipped, with the reason.\n\nExamples:\n  $ backfill connections migrate-tokens\n  $ backfill connections migrate-tokens --connection conn_123 --json",
    )
    .action(async (opts: { connection?: string; json?: boolean }) => {
      const host = await ctx.openHost();
      const outcomes = await migrateTokens(host.tokens, opts.connection ? { connectionId: opts.connection } : {});
      if (opts.json) printJson(ctx.io, outcomes);
      else if (!outcomes.length) ctx.io.stdout("no connections to migrate\n");
      else
        printTable(
          ctx.io,
          ["connection", "result", "reason"],
          outcomes.map((o) => [o.connectionId, o.status, o.reason]),
        );
      if (outcomes.some((o) => o.status === "failed"))
        throw new CliError(TOKEN_MIGRATION_FAILED, "some tokens could not be migrated", "see the reasons above; reconnect those with backfill connect");
    });
}

async function connectionNotices(ctx: CliContext, connectorKey: string, connectionId: string) {
  const connector = await ctx.connectors.get(connectorKey);
  if (!connector) return [];
  const host = await ctx.openHost();
  return streamScopeNotices(host.store, connector.manifest, connectionId);
}
