// backfill records <entity>: the stored canonical records of one entity kind. Key
// columns for people, full payloads with --json; tombstones (deleted at the provider, or
// redacted) are left out unless asked for, and the count left out is said.
import type { Command } from "commander";
import { ENTITY_KINDS, type EntityKind } from "@backfill-io/sdk";
import type { RecordRow } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { INVALID_OPTION_VALUE } from "../error-codes.js";
import { isoTime, printJson, printTable } from "../output.js";
import { positiveLimit } from "../option-values.js";
import { connectorKeysById, resolveConnection } from "../resolve-connection.js";

const KINDS = Object.keys(ENTITY_KINDS) as EntityKind[];

/** customer | sales_receipt | refund_receipt, also as Customer / SalesReceipt / RefundReceipt. */
function entityKindOf(text: string): EntityKind {
  const wanted = text
    .trim()
    .toLowerCase()
    .replace(/[-_\s]/g, "");
  const kind = KINDS.find((k) => k.replaceAll("_", "") === wanted || ENTITY_KINDS[k].entity.toLowerCase() === wanted);
  if (!kind) throw new CliError(INVALID_OPTION_VALUE, `unknown entity ${text}`, `use one of ${KINDS.join(", ")} (or ${KINDS.map((k) => ENTITY_KINDS[k].entity).join(", ")})`);
  return kind;
}

type Payload = Record<string, unknown>;
// A record's payload is any JSON the connector ingested; its columns are read from an object one.
const objectPayload = (payload: unknown): Payload => (typeof payload === "object" && payload !== null && !Array.isArray(payload) ? (payload as Payload) : {});
const text = (v: unknown): string | undefined => (typeof v === "string" && v ? v : typeof v === "number" ? String(v) : undefined);

/** The table columns of one record: id, customer, date, currency, total, updated. */
function keyColumns(kind: EntityKind, r: RecordRow): (string | undefined)[] {
  if (r.payload === null) {
    const deleted = r.tombstone_reason === "deleted";
    return [r.idempotency_key, deleted ? "(deleted)" : "(redacted)", undefined, undefined, undefined, isoTime(deleted ? (r.deleted_at ?? r.tombstoned_at) : r.tombstoned_at)];
  }
  const p = objectPayload(r.payload);
  const updated = text(p.provider_updated_at) ?? isoTime(r.last_seen);
  if (kind === "customer") {
    return [text(p.customer_id), text(p.display_name) ?? text(p.company_name) ?? text(p.email), text(p.created_at), text(p.currency), undefined, updated];
  }
  return [text(p[ENTITY_KINDS[kind].idField]), text(p.customer_id), text(p.issued_at), text(p.currency), text(p.total), updated];
}

function recordJson(r: RecordRow, connectorKeys: Map<string, string>) {
  return {
    connectionId: r.connection_id,
    connector: connectorKeys.get(r.connection_id) ?? null,
    kind: r.kind,
    key: r.idempotency_key,
    stream: r.stream,
    payload: r.payload,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    ...(r.tombstoned_at !== null && r.tombstone_reason === "deleted" ? { deletedAt: r.deleted_at ?? r.tombstoned_at } : {}),
    ...(r.tombstoned_at !== null && r.tombstone_reason !== "deleted" ? { redactedAt: r.tombstoned_at } : {}),
  };
}

export function registerRecords(program: Command, ctx: CliContext): void {
  program
    .command("records")
    .description("list stored records of one entity (customer, sales_receipt, refund_receipt)")
    .argument("<entity>", "customer | sales_receipt | refund_receipt (or Customer, SalesReceipt, RefundReceipt)")
    .option("--connection <id>", "only this connection (an id, or a connector key with one connection)")
    .option("--limit <n>", "at most this many records", positiveLimit, 50)
    .option("--include-redacted", "also list tombstones: records deleted at the provider or redacted (their payload is gone; the identity remains)")
    .option("--include-deleted", "the same as --include-redacted")
    .option("--json", "print JSON with the full payloads")
    .addHelpText(
      "after",
      `
Examples:
  $ backfill records customer
  $ backfill records SalesReceipt --connection conn_3f2a9c --limit 10
  $ backfill records refund_receipt --json | jq '.records[].payload.total'`,
    )
    .action(async (entity: string, opts: { connection?: string; limit: number; includeRedacted?: boolean; includeDeleted?: boolean; json?: boolean }) => {
      const kind = entityKindOf(entity);
      if (opts.includeDeleted) opts.includeRedacted = true;
      const host = await ctx.openHost();
      const connectionIds = opts.connection ? [(await resolveConnection(host, opts.connection)).id] : (await host.store.connections.list()).map((c) => c.id);
      const rows: RecordRow[] = [];
      for (const id of connectionIds) {
        if (rows.length >= opts.limit) break;
        rows.push(...(await host.store.records.list(id, { kind, limit: opts.limit - rows.length, ...(opts.includeRedacted ? { includeTombstoned: true } : {}) })));
      }
      const redacted = await host.store.records.countTombstoned(connectionIds, kind);
      const hiddenRedacted = opts.includeRedacted ? 0 : redacted;

      const connectorKeys = await connectorKeysById(host);
      if (opts.json) return printJson(ctx.io, { entity: kind, records: rows.map((r) => recordJson(r, connectorKeys)), redacted, redactedExcluded: hiddenRedacted });
      if (!rows.length) ctx.io.stdout(`no ${kind} records${opts.connection ? ` for ${connectionIds[0]}` : ""}; sync one with backfill sync <connection>\n`);
      else {
        printTable(
          ctx.io,
          ["connector", "id", "customer", "date", "currency", "total", "updated"],
          rows.map((r) => [connectorKeys.get(r.connection_id), ...keyColumns(kind, r)]),
        );
        if (rows.length === opts.limit) ctx.io.stdout(`showing the first ${opts.limit}; pass --limit for more\n`);
      }
      if (hiddenRedacted) ctx.io.stdout(`${hiddenRedacted} deleted or redacted ${kind} record(s) not shown; pass --include-deleted to list them\n`);
    });
}
