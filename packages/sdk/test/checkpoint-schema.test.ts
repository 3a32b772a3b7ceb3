// Checkpoint.get(stream, schema): a route reads its checkpoint through a zod schema, so a
// stored state of another shape (corrupted, tampered with, an older layout) is refused with
// checkpoint_invalid before any of it is used, and the refusal names fields, never values.
import { afterEach, describe, expect, it } from "vitest";
import { api, BackfillError, Checkpoint, CHECKPOINT_INVALID, defineConnector, ingest, z } from "../src/index.js";
import { parseCheckpoint } from "../src/policy/index.js";
import { connectorTestRuntime, type ConnectorTestRuntime } from "../src/testing/index.js";

const manifest = defineConnector({
  key: "example",
  name: "Example",
  version: "0.1.0",
  permissions: { http: ["https://api.example.com/*"], entities: { SalesReceipt: ["write"] } },
  connection: {},
});
const ordersCheckpoint = z.object({ cursor: z.string().optional(), pages: z.number().int().nonnegative().default(0) });
const CANARY = "CANARY_checkpoint_value_5e1d";

let runtime: ConnectorTestRuntime | undefined;
afterEach(() => runtime?.restore());

/** A page route that trusts only what its schema parsed. */
const pageRoute = api(async () => {
  const saved = Checkpoint.get("orders", ordersCheckpoint);
  ingest.batch("sales_receipt", [{ receipt_id: `r${saved?.pages ?? 0}`, total: "1.00", currency: "USD" }], { stream: "orders" });
  Checkpoint.set("orders", { cursor: `c${(saved?.pages ?? 0) + 1}`, pages: (saved?.pages ?? 0) + 1 }, { hasMore: true });
  return api.json({ pages: saved?.pages ?? null });
});

describe("Checkpoint.get(stream, schema)", () => {
  it("parses the stored state (typed, defaults applied); undefined on the first run", async () => {
    runtime = connectorTestRuntime({ manifest, checkpoints: { orders: { cursor: "c7" } } });
    const answer = await (await runtime.call(pageRoute)).json();
    expect(answer).toEqual({ pages: 0 });
    expect(runtime.checkpoint("orders")).toEqual({ cursor: "c1", pages: 1 });
    runtime.restore();

    runtime = connectorTestRuntime({ manifest });
    expect(await (await runtime.call(pageRoute)).json()).toEqual({ pages: null });
  });

  it("a tampered checkpoint is refused with checkpoint_invalid naming the fields, not the values; nothing is written", async () => {
    const tampered = { cursor: 42, pages: CANARY };
    runtime = connectorTestRuntime({ manifest, checkpoints: { orders: tampered } });
    const response = await runtime.call(pageRoute);
    expect(response.status).toBe(500);
    const text = await response.clone().text();
    const body = JSON.parse(text) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(CHECKPOINT_INVALID);
    expect(body.error.message).toMatch(/"orders"/);
    expect(body.error.message).toMatch(/cursor/);
    expect(body.error.message).toMatch(/pages/);
    expect(text).not.toContain(CANARY);
    expect(JSON.stringify(runtime.logs)).not.toContain(CANARY);
    // Refused before the route used any of it: no records, the stored checkpoint as it was.
    expect(runtime.records("sales_receipt")).toEqual([]);
    expect(runtime.checkpoint("orders")).toEqual(tampered);
  });

  it("the shared policy: the same refusal for any binding, with issues by path", () => {
    expect(parseCheckpoint("orders", undefined, ordersCheckpoint)).toBeUndefined();
    let thrown: unknown;
    try {
      parseCheckpoint("orders", { pages: -1 }, ordersCheckpoint);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BackfillError);
    expect(thrown).toMatchObject({ code: CHECKPOINT_INVALID, details: { stream: "orders", issues: [expect.objectContaining({ path: "pages" })] } });
  });
});
