// Every exported code of oauth-helpers is thrown or answered by the call in its row.
import { describe, expect, it } from "vitest";
import { defineConnector } from "@backfill-io/sdk";
import { connectorTestRuntime } from "@backfill-io/sdk/testing";
import { MAPPING_ERROR, MappingError, OAUTH_HELPERS_ERROR_CODES, PROVIDER_ERROR, ProviderFailureError, providerFailureResponse } from "../src/index.js";

const WHERE: Record<(typeof OAUTH_HELPERS_ERROR_CODES)[number], () => Promise<unknown>> = {
  [PROVIDER_ERROR]: async () => {
    // The answer logs the failure: a host (the test runtime) must be bound.
    const runtime = connectorTestRuntime({ manifest: defineConnector({ key: "codes", name: "Codes", version: "0.1.0", permissions: {} }) }).install();
    try {
      return ((await providerFailureResponse({ kind: "failed", status: 503, message: "the provider failed" }).json()) as { error: { code: string } }).error.code;
    } finally {
      runtime.restore();
    }
  },
  [MAPPING_ERROR]: () => Promise.resolve(new MappingError("no id").code),
};

describe("oauth-helpers error codes", () => {
  it("the table names every code", () => {
    expect(Object.keys(WHERE).sort()).toEqual([...OAUTH_HELPERS_ERROR_CODES].sort());
  });

  it.each(Object.entries(WHERE))("%s is what its call carries", async (code, run) => {
    expect(await run()).toBe(code);
  });

  it("a thrown provider failure carries provider_error", () => {
    expect(new ProviderFailureError({ kind: "failed", status: 500, message: "x" }).code).toBe(PROVIDER_ERROR);
  });
});
