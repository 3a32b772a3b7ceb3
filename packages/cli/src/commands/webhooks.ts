// backfill webhooks deliveries: the auth webhooks the host sent (or is retrying) to the
// operator's backend: connection created, reconnected, reauth_required, revoked.
import type { Command } from "commander";
import { AUTH_WEBHOOK_DELIVERY_STATUSES, authWebhookDeliveryJson, type AuthWebhookDeliveryStatus } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { INVALID_OPTION_VALUE } from "../error-codes.js";
import { isoTime, printJson, printTable } from "../output.js";
import { positiveLimit } from "../option-values.js";
import { resolveConnection } from "../resolve-connection.js";

function status(value: string): AuthWebhookDeliveryStatus {
  if (!(AUTH_WEBHOOK_DELIVERY_STATUSES as readonly string[]).includes(value)) {
    throw new CliError(INVALID_OPTION_VALUE, `--status ${value} is not a delivery status`, `pass one of ${AUTH_WEBHOOK_DELIVERY_STATUSES.join(", ")}`);
  }
  return value as AuthWebhookDeliveryStatus;
}

export function registerWebhooks(program: Command, ctx: CliContext): void {
  const webhooks = program.command("webhooks").description("auth webhooks sent to the operator's backend (serve --auth-webhook-url)");
  webhooks
    .command("deliveries")
    .description("the delivery log: each event, its attempts and the last answer")
    .option("--connection <id>", "only this connection (an id, or a connector key with one connection)")
    .option("--status <status>", `only ${AUTH_WEBHOOK_DELIVERY_STATUSES.join(" | ")}`, status)
    .option("--limit <n>", "at most this many, newest first", positiveLimit, 50)
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  $ backfill webhooks deliveries
  $ backfill webhooks deliveries --status failed --json
  $ backfill webhooks deliveries --connection acme`,
    )
    .action(async (opts: { connection?: string; status?: AuthWebhookDeliveryStatus; limit: number; json?: boolean }) => {
      const host = await ctx.openHost();
      const connectionId = opts.connection ? (await resolveConnection(host, opts.connection)).id : undefined;
      const rows = await host.store.authWebhookDeliveries.list({ ...(connectionId ? { connectionId } : {}), ...(opts.status ? { status: opts.status } : {}), limit: opts.limit });
      if (opts.json) return printJson(ctx.io, rows.map(authWebhookDeliveryJson));
      if (!rows.length) return ctx.io.stdout("no auth webhook deliveries; they are sent when serve runs with --auth-webhook-url\n");
      printTable(
        ctx.io,
        ["event", "connection", "status", "attempts", "last answer", "created", "delivered"],
        rows.map((r) => [
          r.event_type,
          r.connection_id ?? "",
          r.status,
          String(r.attempts),
          r.last_status_code ? `HTTP ${r.last_status_code}` : (r.last_error ?? ""),
          isoTime(r.created_at),
          r.delivered_at ? isoTime(r.delivered_at) : "",
        ]),
      );
    });
}
