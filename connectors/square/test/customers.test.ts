import { describe, expect, it } from "vitest";
import { POST } from "../src/api/sync/customers.js";
import type { CustomersCheckpoint } from "../src/api/sync/customers.js";
import type { ErrorBody } from "@backfill-io/sdk";
import { API, fixture, json, squareRuntime, expectNoLeaksAfterEach } from "./helpers.js";

let runtime: ReturnType<typeof squareRuntime>;
expectNoLeaksAfterEach();

const SQUARE_DATE = "Mon, 01 Jul 2024 12:00:00 GMT";

describe("sync/customers", () => {
  it("first run pages through ListCustomers, one page per call, then records the high-water mark", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/customers*`, { body: fixture("customers-list-page1.json"), headers: { date: SQUARE_DATE } });
    let response = await runtime.call(POST);
    expect(response.status).toBe(200);
    expect(await json(response)).toMatchObject({ accepted: 1, rejected: 0, hasMore: true });
    expect(runtime.hasMore("customers")).toBe(true);
    expect(runtime.checkpoint<CustomersCheckpoint>("customers")).toEqual({ passStartedAt: "2024-07-01T12:00:00.000Z", cursor: "9dpS093Uy12AzeE" });
    const first = new URL(runtime.http.calls[0]!.url);
    expect(Object.fromEntries(first.searchParams)).toEqual({ limit: "100", sort_field: "CREATED_AT", sort_order: "ASC" });

    runtime.http.getOnce(`${API}/v2/customers*`, { body: fixture("customers-list-page2.json") });
    response = await runtime.call(POST);
    expect(await json(response)).toMatchObject({ accepted: 1, hasMore: false });
    expect(new URL(runtime.http.calls[1]!.url).searchParams.get("cursor")).toBe("9dpS093Uy12AzeE");
    expect(runtime.hasMore("customers")).toBe(false);
    expect(runtime.checkpoint("customers")).toEqual({ highWater: "2024-07-01T12:00:00.000Z" });
    expect(
      runtime
        .storedRecords()
        .map((r) => r.idempotencyKey)
        .sort(),
    ).toEqual(["square:customer:A9641GZW2H7Z56YYSD41Q12HDW", "square:customer:JDKYHBWT1D4F8MFH63DBMEN8Y4"]);
  });

  it("incremental run searches on updated_at from the high-water mark (minus the consistency overlap)", async () => {
    runtime = squareRuntime({ checkpoints: { customers: { highWater: "2024-07-01T12:00:00.000Z" } } });
    runtime.http.postOnce(`${API}/v2/customers/search`, { body: fixture("customers-search.json"), headers: { date: "Tue, 02 Jul 2024 08:00:00 GMT" } });
    const response = await runtime.call(POST);
    expect(await json(response)).toMatchObject({ accepted: 1, hasMore: false });
    expect(runtime.http.calls[0]!.body).toEqual({ limit: 100, query: { filter: { updated_at: { start_at: "2024-07-01T11:59:00.000Z" } } } });
    expect(runtime.records("customer")[0]).toMatchObject({ family_name: "Earhart-Putnam" });
    expect(runtime.checkpoint("customers")).toEqual({ highWater: "2024-07-02T08:00:00.000Z" });
  });

  it("INVALID_CURSOR restarts the pass from the checkpoint's high-water mark", async () => {
    const checkpoint = { highWater: "2024-07-01T12:00:00.000Z", passStartedAt: "2024-07-02T08:00:00.000Z", cursor: "stale-cursor" };
    runtime = squareRuntime({ checkpoints: { customers: checkpoint } });
    runtime.http.postOnce(`${API}/v2/customers/search`, { status: 400, body: fixture("error-invalid-cursor.json") });
    runtime.http.postOnce(`${API}/v2/customers/search`, { body: fixture("customers-search.json") });
    const response = await runtime.call(POST);
    expect(await json(response)).toMatchObject({ accepted: 1, restartedAfter: "INVALID_CURSOR" });
    expect(runtime.http.calls[0]!.body).toMatchObject({ cursor: "stale-cursor" });
    expect(runtime.http.calls[1]!.body).toEqual({ limit: 100, query: { filter: { updated_at: { start_at: "2024-07-01T11:59:00.000Z" } } } });
    expect(runtime.checkpoint("customers")).toEqual({ highWater: "2024-07-02T08:00:00.000Z" });
  });

  it("429 RATE_LIMITED → the retry signal; nothing committed", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/customers*`, { status: 429, body: fixture("error-rate-limited.json"), headers: { "retry-after": "7" } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect((await json<ErrorBody>(response)).error).toMatchObject({ code: "retry_after", details: { retryAfterSeconds: 7 } });
    expect(runtime.checkpoint("customers")).toBeUndefined();
  });

  it("missing token → 401 reauth_required, no Square call", async () => {
    runtime = squareRuntime({ oauth: { accessToken: null } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect((await json<ErrorBody>(response)).error).toMatchObject({ code: "reauth_required", details: { reason: "missing_token" } });
    expect(runtime.http.calls).toHaveLength(0);
  });

  it("missing scope → 401 reauth_required with the missing scopes", async () => {
    runtime = squareRuntime({ oauth: { scopes: ["ORDERS_READ"] } });
    const response = await runtime.call(POST);
    expect((await json<ErrorBody>(response)).error.details).toEqual({ reason: "missing_scopes", missingScopes: ["MERCHANT_PROFILE_READ", "CUSTOMERS_READ", "PAYMENTS_READ"] });
  });

  it("refresh failure → 401 reauth_required refresh_failed", async () => {
    runtime = squareRuntime({ oauth: { expiresAt: Date.now() + 1000, refresh: { error: "invalid_grant" } } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect((await json<ErrorBody>(response)).error.details).toEqual({ reason: "refresh_failed" });
  });

  it("Square rejecting the token (401) → 401 reauth_required (revoked); Square's 403 INSUFFICIENT_SCOPES → missing_scopes", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/customers*`, { status: 401, body: fixture("error-unauthorized.json") });
    let response = await runtime.call(POST);
    expect(response.status).toBe(401);
    expect((await json<ErrorBody>(response)).error.details).toEqual({ reason: "revoked" });
    runtime.http.getOnce(`${API}/v2/customers*`, { status: 403, body: fixture("error-insufficient-scopes.json") });
    response = await runtime.call(POST);
    expect((await json<ErrorBody>(response)).error.details).toEqual({ reason: "missing_scopes" });
  });

  it("other Square errors → 502 with Square's category/code/detail", async () => {
    runtime = squareRuntime();
    runtime.http.getOnce(`${API}/v2/customers*`, { status: 500, body: { errors: [{ category: "API_ERROR", code: "INTERNAL_SERVER_ERROR", detail: "boom" }] } });
    const response = await runtime.call(POST);
    expect(response.status).toBe(502);
    const body = await json<ErrorBody>(response);
    expect(body.error.code).toBe("provider_error");
    expect(body.error.message).toBe("Square GET /v2/customers failed with 500 (API_ERROR/INTERNAL_SERVER_ERROR: boom)");
  });
});
