// The stream engine over a toy provider, through the connector test runtime: passes and
// their watermark, cursors, an expired cursor, pages done part-way, planning and the one
// failure mapping. The connectors' suites run it against Shopify's and Square's shapes.
import { afterEach, describe, expect, it } from "vitest";
import { Http, api, defineConnector, type ErrorBody, type HttpResponse } from "@backfill-io/sdk";
import { CanaryGuard, connectorTestRuntime, responseJson } from "@backfill-io/sdk/testing";
import { MappingError, ProviderFailureError, flatStream, httpFailure, syncStreamPage, type Completion, type FlatCursorCheckpoint, type MappedRecord } from "../src/index.js";

const ACCESS = "tok_CANARY_engine_77aa";
const API = "https://api.example.com";
const manifest = defineConnector({
  key: "example",
  name: "Example",
  version: "0.1.0",
  permissions: { http: ["https://api.example.com/*"], entities: { Customer: ["write"] } },
  connection: {
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://api.example.com/oauth/authorize",
      tokenUrlTemplate: "https://api.example.com/oauth/token",
      scopes: ["customers.read"],
      client: { credentialKey: "example_app" },
      token: { accessTokenPath: "access_token" },
    },
  },
});

const canaries = new CanaryGuard([ACCESS]);
canaries.afterEach(afterEach);
const runtimeWith = (checkpoint?: FlatCursorCheckpoint) =>
  canaries.track(
    connectorTestRuntime({
      manifest,
      oauth: { accessToken: ACCESS, scopes: ["customers.read"], requiredScopes: ["customers.read"] },
      ...(checkpoint ? { checkpoints: { customers: checkpoint } } : {}),
    }),
  );

type Item = { id: string; updated_at: string; email?: string };
const item = (i: number): Item => ({ id: `C${i}`, updated_at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });

function checked(response: HttpResponse) {
  const failure = httpFailure(response, { provider: "Example" });
  if (failure) throw new ProviderFailureError(failure);
  return response.body as { items: Item[]; next?: string; error?: string };
}

const toRecords = (c: Item): MappedRecord[] => {
  if (c.email === "bad") throw new MappingError(`${c.id}: email cannot be represented`);
  return [{ key: `example:customer:${c.id}`, payload: { customer_id: c.id, provider_id: c.id } }];
};

const base = {
  stream: "customers",
  kind: "customer" as const,
  watermark: "max_updated_at" as const,
  lookbackMs: 60_000,
  fetchPage: ({ since, cursor }: { since: string | undefined; cursor: string | undefined }) => {
    const body = checked(Http.get(`${API}/customers`, { auth: { oauth: {} }, query: { since, cursor } }));
    if (body.error === "expired_cursor") throw new ProviderFailureError({ kind: "invalid_cursor", code: "EXPIRED", message: "cursor expired" });
    return { items: body.items, nextCursor: body.next };
  },
  idOf: (c: Item) => c.id,
  updatedAt: (c: Item) => c.updated_at,
  toRecords,
};
const route = api(() => syncStreamPage(flatStream<Item>(base)));
const queries = (rt: ReturnType<typeof runtimeWith>) => rt.http.calls.map((c) => Object.fromEntries(new URL(c.url).searchParams));

describe("syncStreamPage", () => {
  it("pages by cursor, then ends the pass at the latest updated_at read; the next pass starts a lookback earlier", async () => {
    const rt = runtimeWith();
    rt.http.getOnce(`${API}/customers*`, { body: { items: [item(1), item(2)], next: "p2" } });
    rt.http.getOnce(`${API}/customers*`, { body: { items: [item(3)] } });
    expect(await responseJson(await rt.call(route))).toMatchObject({ stream: "customers", fetched: 2, accepted: 2, hasMore: true });
    expect(rt.checkpoint("customers")).toEqual({ cursor: "p2", passHighWater: item(2).updated_at });
    expect(await responseJson(await rt.call(route))).toMatchObject({ accepted: 1, hasMore: false });
    expect(rt.checkpoint("customers")).toEqual({ highWater: item(3).updated_at });
    rt.http.getOnce(`${API}/customers*`, { body: { items: [] } });
    await rt.call(route);
    expect(queries(rt)).toEqual([{}, { cursor: "p2" }, { since: "2025-12-31T23:59:03.000Z" }]);
  });

  it("a record naming another kind is staged as that kind: one the manifest does not grant is refused, and nothing of the page commits", async () => {
    const rt = runtimeWith();
    rt.http.getOnce(`${API}/customers*`, { body: { items: [item(1)] } });
    const withReceipt = api(() =>
      syncStreamPage(flatStream<Item>({ ...base, toRecords: (c) => [...toRecords(c), { key: `example:receipt:${c.id}`, kind: "sales_receipt", payload: { receipt_id: c.id } }] })),
    );
    const response = await rt.call(withReceipt);
    expect(response.status).toBe(500);
    expect(await responseJson(response)).toMatchObject({ error: { code: "permission_denied" } });
    expect(rt.storedRecords()).toEqual([]);
    expect(rt.checkpoint("customers")).toBeUndefined();
  });

  it("an object the mapper cannot represent is skipped and reported by id and reason; the page commits", async () => {
    const rt = runtimeWith();
    rt.http.getOnce(`${API}/customers*`, { body: { items: [{ ...item(1), email: "bad" }, item(2)] } });
    expect(await responseJson(await rt.call(route))).toMatchObject({ accepted: 1, skipped: [{ id: "C1", reason: "C1: email cannot be represented" }], hasMore: false });
    expect(rt.logs.some((l) => l.level === "warn" && l.message === "record not mapped")).toBe(true);
  });

  it("an expired cursor restarts the query from the latest updated_at read, once, and says so", async () => {
    const rt = runtimeWith({ highWater: item(0).updated_at, cursor: "old", cursorSince: "2025-12-31T23:59:00.000Z", passHighWater: item(5).updated_at });
    rt.http.getOnce(`${API}/customers*`, { body: { items: [], error: "expired_cursor" } });
    rt.http.getOnce(`${API}/customers*`, { body: { items: [item(6)], next: "fresh" } });
    expect(await responseJson(await rt.call(route))).toMatchObject({ restartedAfter: "EXPIRED", accepted: 1, hasMore: true });
    expect(queries(rt)).toEqual([{ since: "2025-12-31T23:59:00.000Z", cursor: "old" }, { since: item(5).updated_at }]);
    expect(rt.checkpoint("customers")).toMatchObject({ cursor: "fresh", cursorSince: item(5).updated_at, passHighWater: item(6).updated_at });
  });

  it("a page completed part-way commits its prefix; the next call re-reads the page and carries on after it", async () => {
    let failing = true;
    const complete = (items: Item[]): Completion<Item> => {
      if (!failing) return { done: items };
      failing = false;
      return { done: items.slice(0, 1), stop: { failure: { kind: "throttled", retryAfterSeconds: 4, message: "slow down" }, pauseSeconds: 4 } };
    };
    const partRoute = api(() => syncStreamPage(flatStream<Item>({ ...base, complete })));
    const rt = runtimeWith();
    rt.http.on("GET", `${API}/customers*`, { body: { items: [item(1), item(2), item(3)] } });
    expect(await responseJson(await rt.call(partRoute))).toMatchObject({ accepted: 1, hasMore: true, page: { done: 1, of: 3 } });
    expect(rt.pauseSeconds("customers")).toBe(4);
    expect(rt.checkpoint("customers")).toMatchObject({ pageDone: 1, pageDoneId: "C1" });
    expect(await responseJson(await rt.call(partRoute))).toMatchObject({ fetched: 2, accepted: 2, hasMore: false });
    expect(rt.records("customer").map((c) => c.customer_id)).toEqual(["C1", "C2", "C3"]);
  });

  it("nothing completed: the failure's answer, nothing committed", async () => {
    const none = api(() =>
      syncStreamPage(flatStream<Item>({ ...base, complete: () => ({ done: [], stop: { failure: { kind: "throttled", retryAfterSeconds: 9, message: "slow down" } } }) })),
    );
    const rt = runtimeWith();
    rt.http.getOnce(`${API}/customers*`, { body: { items: [item(1)] } });
    const response = await rt.call(none);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("9");
    expect(rt.checkpoint("customers")).toBeUndefined();
    expect(rt.records("customer")).toEqual([]);
  });

  it("planPage can make the invocation wait before any request", async () => {
    const waiting = api(() => syncStreamPage(flatStream<Item>({ ...base, planPage: () => ({ waitSeconds: 7, reason: "budget spent" }) })));
    const rt = runtimeWith();
    const response = await rt.call(waiting);
    expect(response.status).toBe(429);
    expect(await responseJson(response)).toMatchObject({ error: { code: "retry_after", message: "budget spent", details: { retryAfterSeconds: 7, stream: "customers" } } });
    expect(rt.http.calls).toEqual([]);
  });

  it.each([
    [401, {}, 401, "reauth_required"],
    [403, {}, 401, "reauth_required"],
    [429, { "retry-after": "3" }, 429, "retry_after"],
    [500, {}, 502, "provider_error"],
  ])("provider %i → %i %s, nothing committed", async (status, headers, answered, code) => {
    const rt = runtimeWith();
    rt.http.getOnce(`${API}/customers*`, { status, headers, body: { error: "x" } });
    const response = await rt.call(route);
    expect(response.status).toBe(answered);
    expect((await responseJson<ErrorBody>(response)).error.code).toBe(code);
    expect(rt.checkpoint("customers")).toBeUndefined();
  });

  it("a 2xx whose body is not a JSON object (cut short in transit) is a 502, never an empty page", async () => {
    const rt = runtimeWith();
    rt.http.getOnce(`${API}/customers*`, { body: '{"items":[{"id":"C', headers: { "content-type": "application/json" } });
    const response = await rt.call(route);
    expect(response.status).toBe(502);
    expect(rt.checkpoint("customers")).toBeUndefined();
  });

  it("no token: 401 reauth_required before any request", async () => {
    const rt = canaries.track(connectorTestRuntime({ manifest, oauth: { accessToken: null } }));
    const response = await rt.call(route);
    expect(response.status).toBe(401);
    expect((await responseJson<ErrorBody>(response)).error).toMatchObject({ code: "reauth_required", details: { reason: "missing_token" } });
    expect(rt.http.calls).toEqual([]);
  });
});
