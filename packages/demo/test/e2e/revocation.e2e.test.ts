// A token the provider revokes in the middle of a sync, by the emulators' seeded `revoked`
// fault: the run stops in reauth_required (no retry loop, not failed), the connection is
// marked, and the store keeps exactly the pages committed before the revocation: whole pages
// of real records, nothing invented, nothing twice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SyncResult } from "@backfill-io/host";
import { DEMO_MERCHANT, DEMO_SHOP, startDemoEnvironment, type DemoEnvironment } from "../../src/environment.js";
import { expectedShopify, expectedSquare, missing, recordSquareExchanges, squareOrderMapper, storedRecords, summary, type Expected } from "./support.js";

const ORDERS = 150;
// Small enough that some pages commit first, large enough that a sync meets it.
const FAULTS = { revoked: 0.04 };
let dataDir: string;
let env: DemoEnvironment;
const squareExchanges = recordSquareExchanges();
const connections: { shopify?: string; square?: string } = {};

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "backfill-e2e-revoked-"));
  env = await startDemoEnvironment({ dataDir, mode: "source", orders: ORDERS, seed: 11, faults: FAULTS, requestTimeoutMs: 1_000 });
  connections.shopify = (await env.connect("shopify", { shop_domain: DEMO_SHOP })).connectionId;
  connections.square = (await env.connect("square", { environment: "production" })).connectionId;
  env.enableFaults();
}, 60_000);

afterAll(async () => {
  await env?.close();
  squareExchanges.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const STREAM_KIND = { customers: "customer", orders: "sales_receipt", refunds: "refund_receipt" } as const;
type Kind = (typeof STREAM_KIND)[keyof typeof STREAM_KIND];
/** The kinds a stream writes: Shopify's orders stream writes each order's refund receipts with it. */
const streamKinds = (connector: "shopify" | "square", stream: string): Kind[] =>
  connector === "shopify" && stream === "orders" ? ["sales_receipt", "refund_receipt"] : [STREAM_KIND[stream as keyof typeof STREAM_KIND]];

describe.each([
  {
    connector: "shopify" as const,
    prepare: (): void => undefined,
    served: () => env.shopify.state.faults.served.map((f) => f.kind),
    expected: async (): Promise<Expected> => expectedShopify(env.shopify.state.shop(DEMO_SHOP)),
  },
  {
    connector: "square" as const,
    // Square needs a handful of requests for this merchant (500 orders a page, one return-order
    // batch per 100 refunds), too few for a 4% rate to be sure to strike: the revocation is
    // scheduled for the 4th request instead (customers and the first orders page commit first).
    prepare: (): void => {
      env.square.state.faults.setRates({});
      env.square.state.faults.injectAfter("revoked", 3);
    },
    served: () => env.square.state.faults.served.map((f) => f.kind),
    expected: async (): Promise<Expected> => expectedSquare(env.square.state.snapshot(DEMO_MERCHANT), await squareOrderMapper()),
  },
])("$connector: a token revoked by the provider mid-sync", ({ connector, prepare, served, expected }) => {
  let results: SyncResult[];

  it("ends the run in reauth_required and marks the connection, without retrying into a loop", async () => {
    const id = connections[connector]!;
    prepare();
    results = await env.engine.syncConnection(id, { backoff: { baseDelayMs: 50, maxDelayMs: 1000 } });
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.at(-1), JSON.stringify(summary(results))).toBe("reauth_required");
    expect(
      outcomes.slice(0, -1).every((o) => o === "succeeded"),
      JSON.stringify(summary(results)),
    ).toBe(true);
    // The 401 is not a transient fault: no retries, and the revocation really was the seeded fault.
    expect(results.at(-1)!.retries).toBe(0);
    expect(served()).toEqual(["revoked"]);
    // Some pages were committed before the revocation: the fault struck mid-sync.
    expect(results.reduce((n, r) => n + r.pages, 0)).toBeGreaterThan(0);
    const row = await env.host.store.connections.get(id);
    expect(row?.status).toBe("reauth_required");
    expect(await env.host.store.syncRuns.list({ connectionId: id, status: "running" })).toEqual([]);
  }, 60_000);

  it("keeps the pages committed before the revocation, and only whole pages of real records", async () => {
    const id = connections[connector]!;
    const stored = await storedRecords(env.host, id);
    const truth = await expected();
    // Nothing twice.
    expect(stored.rows).toBe(stored.distinctKeys);
    // What was committed stays: one stored record per record a committed page accepted.
    expect(stored.rows).toBe(results.reduce((n, r) => n + r.accepted, 0));
    expect(stored.rows).toBeGreaterThan(0);
    for (const kind of ["customer", "sales_receipt", "refund_receipt"] as const) {
      // Every stored record exists at the provider, under the same key and version.
      expect(missing(stored[kind], truth[kind]), `${kind} stored but not at the provider`).toEqual([]);
      for (const [key, updatedAt] of stored[kind]) expect(updatedAt, `${kind} ${key} version`).toBe(truth[kind].get(key));
    }
    for (const result of results) {
      const kinds = streamKinds(connector, result.stream);
      // A stream that finished before the revocation holds the provider's whole set; the
      // interrupted one holds exactly what its committed pages accepted (the page in flight at
      // the revocation committed nothing) and is short of the whole set.
      if (result.outcome === "succeeded") {
        for (const kind of kinds) expect(stored[kind].size, `${kind} complete`).toBe(truth[kind].size);
      } else {
        const size = (set: Record<Kind, Map<string, number>>) => kinds.reduce((n, kind) => n + set[kind].size, 0);
        expect(size(stored), `${result.stream}: committed pages only`).toBe(result.accepted);
        expect(size(stored), `${result.stream}: interrupted`).toBeLessThan(size(truth));
      }
    }
  });
});

it("every body the Square emulator served here, and every request sent to it, parses with the official square SDK's schemas", () => {
  const report = squareExchanges.check();
  expect(report.violations.slice(0, 20)).toEqual([]);
  expect(report.checked).toBeGreaterThan(0);
});
