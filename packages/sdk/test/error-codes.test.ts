// Every exported error code is thrown somewhere reachable (called here, its code checked) or,
// where only the host throws it, proven by a named host test that names the code. A code added
// to error-codes.ts without a row here fails the first test; a row whose call stops throwing
// that code fails its own.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import * as sdk from "../src/index.js";
import { BACKFILL_ERROR_CODES, OAuth, Records, ProviderRegistry, defineConnector, defineProviderPlugin, type BackfillErrorCode } from "../src/index.js";
import * as sdkHost from "../src/host/index.js";
import type { HostBinding } from "../src/host/index.js";
import { checkReadStart, followRedirect, parseCheckpoint, sliceLines, validateDeletions, assertEntityWritable } from "../src/policy/index.js";
import { connectorTestRuntime } from "../src/testing/index.js";
import { api } from "../src/index.js";

const manifest = defineConnector({
  key: "codes",
  name: "Codes",
  version: "0.1.0",
  permissions: { http: ["https://api.example.com/*"], entities: { SalesReceipt: ["write"] } },
  connection: { settingsSchema: { required: ["region"], properties: { region: { type: "string", enum: ["eu", "us"] } } } },
});

/** A binding offering only what every host must: the optional calls are missing. */
function minimalBinding(): HostBinding {
  const none = () => {
    throw new Error("not used");
  };
  return {
    manifest,
    getSetting: none,
    getSecret: none,
    accessToken: none,
    http: none,
    ingest: none,
    getCheckpoint: none,
    setCheckpoint: none,
    log: () => {},
    redactRecords: none,
    setConnectionStatus: none,
  };
}

let unbind: (() => void) | undefined;
afterEach(() => {
  unbind?.();
  unbind = undefined;
});

async function codeOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return "(nothing thrown)";
}

const from = new URL("https://api.example.com/a");
const plugin = { provider: "acme", hostNormalizers: {} };

type Row = { throws: () => unknown } | { provenBy: string };
/** Where each code is thrown: a call here, or the host test that asserts it (else the host source that throws it), relative to packages/. */
const WHERE_THROWN: Record<BackfillErrorCode, Row> = {
  no_host_bound: { throws: () => OAuth.accessToken() },
  reauth_required: {
    throws: () => {
      const runtime = connectorTestRuntime({ manifest: defineConnector({ ...manifest, key: "codes_oauth", connection: { oauth: oauthConfig() } }) }).install();
      unbind = () => runtime.restore();
      return OAuth.accessToken();
    },
  },
  permission_denied: { throws: () => assertEntityWritable(manifest, "customer") },
  invalid_request: { throws: () => validateDeletions("sales_receipt", "not an array" as never) },
  invalid_manifest: { throws: () => defineConnector({ key: "" } as never) },
  http_error: { throws: () => followRedirect(manifest, { call: "Http.get", from, location: "https://api.example.com/b", headers: {}, count: 5, maxRedirects: 5 }) },
  timeout: { provenBy: "host/test/runner/limits.test.ts" },
  file_too_large: { provenBy: "host/test/files/download.test.ts" },
  file_not_found: { provenBy: "host/test/files/download.test.ts" },
  file_line_too_long: { throws: () => sliceLines(new TextEncoder().encode("long"), 0, { offset: 0, maxLines: 1, maxBytes: 4 }, false) },
  file_offset_invalid: { throws: () => checkReadStart(10, 5, undefined) },
  file_not_utf8: { throws: () => sliceLines(new Uint8Array([0xff, 0xfe, 0x0a]), 0, { offset: 0, maxLines: 1, maxBytes: 100 }, true) },
  checkpoint_invalid: { throws: () => parseCheckpoint("orders", { cursor: 1 }, z.object({ cursor: z.string() })) },
  provider_plugin_conflict: { throws: () => new ProviderRegistry().register(defineProviderPlugin(plugin)).register(defineProviderPlugin({ ...plugin })) },
  provider_plugin_invalid: { throws: () => defineProviderPlugin({ provider: "not a name!" }) },
  invalid_settings: { throws: () => connectorTestRuntime({ manifest, settings: { region: "mars" } }).call(api(() => api.json({}))) },
  host_capability_missing: {
    throws: () => {
      unbind = sdkHost.bindHost(minimalBinding());
      return Records.delete("sales_receipt", [{ id: "r1" }]);
    },
  },
  invocation_ended: { provenBy: "host/src/runner/session.ts" },
  unknown_host_call: { provenBy: "host/src/runner/session.ts" },
  host_error: { provenBy: "host/test/error-codes.test.ts" },
  connection_not_found: { provenBy: "host/test/error-codes.test.ts" },
  connector_not_found: { provenBy: "host/src/tokens/token-manager.ts" },
  not_oauth_connector: { provenBy: "host/src/tokens/token-manager.ts" },
  missing_client_credential: { provenBy: "host/test/tokens.test.ts" },
  client_credential_rejected: { provenBy: "host/test/tokens.test.ts" },
  min_ttl_unsatisfiable: { provenBy: "host/src/tokens/token-manager.ts" },
};

function oauthConfig() {
  return {
    type: "authorization_code" as const,
    authorizationUrlTemplate: "https://api.example.com/oauth/authorize",
    tokenUrlTemplate: "https://api.example.com/oauth/token",
    scopes: ["orders.read"],
    client: { credentialKey: "codes_app" },
    token: { accessTokenPath: "access_token" },
  };
}

describe("SDK error codes", () => {
  it("the table names every exported code, and each code is exported as a constant with its value", () => {
    expect(Object.keys(WHERE_THROWN).sort()).toEqual([...BACKFILL_ERROR_CODES].sort());
    const exported = Object.entries(sdk).filter(
      ([name, value]) => /^[A-Z][A-Z0-9_]+$/.test(name) && typeof value === "string" && (BACKFILL_ERROR_CODES as readonly string[]).includes(value),
    );
    expect(exported.map(([, value]) => value).sort()).toEqual([...BACKFILL_ERROR_CODES].sort());
    for (const [name, value] of exported) expect(name.toLowerCase()).toBe(value);
  });

  it("every code has a doc comment in error-codes.ts", () => {
    const source = readFileSync(new URL("../src/runtime/error-codes.ts", import.meta.url), "utf8");
    for (const code of BACKFILL_ERROR_CODES) expect(source, code).toMatch(new RegExp(`/\\*\\*[^\\n]*\\*/\\nexport const ${code.toUpperCase()} = "${code}";`));
  });

  it.each(Object.entries(WHERE_THROWN).filter(([, row]) => "throws" in row))("%s is thrown by the call in its row", async (code, row) => {
    expect(await codeOf((row as { throws: () => unknown }).throws)).toBe(code);
  });

  it.each(Object.entries(WHERE_THROWN).filter(([, row]) => "provenBy" in row))("%s is named by the host test or source its row names", (code, row) => {
    const test = readFileSync(new URL(`../../${(row as { provenBy: string }).provenBy}`, import.meta.url), "utf8");
    expect(test.includes(`"${code}"`) || test.includes(code.toUpperCase())).toBe(true);
  });

  it("fix is a field, never part of the message, and survives JSON", () => {
    const error = new sdk.BackfillError(
      "missing_client_credential",
      "no OAuth app credential acme_app is set",
      { credentialKey: "acme_app" },
      { fix: "set the OAuth app credential acme_app" },
    );
    expect(error.message).toBe("no OAuth app credential acme_app is set");
    expect(error.fix).toBe("set the OAuth app credential acme_app");
    const back = sdkHost.errorFromJSON(error.toJSON());
    expect({ code: back.code, message: back.message, fix: back.fix }).toEqual({ code: "missing_client_credential", message: error.message, fix: error.fix });
  });
});
