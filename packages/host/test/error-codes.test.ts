// The host's error model: every exported code has a throw site; the fix is a field, never in
// the message; the host's fixes name no CLI command; only SDK codes cross the worker bridge.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BackfillError, MISSING_CLIENT_CREDENTIAL, Redactor } from "@backfill-io/sdk";
import * as HOST_CODES from "../src/error-codes.js";
import { errorToBridge } from "../src/runner/session.js";
import { REDIRECT_URI, standInTestBed } from "./oauth-fixtures.js";
import { squareManifest } from "./oauth-fixtures.js";

const SRC = new URL("../src/", import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

const sources = sourceFiles(SRC)
  .filter((file) => !file.endsWith("/error-codes.ts"))
  .map((file) => ({ file: file.slice(SRC.length), text: readFileSync(file, "utf8") }));

/** Lines that use a code (the quoted value, or the constant anywhere but its definition and re-exports). */
function usesOf(name: string, value: string): string[] {
  const constant = new RegExp(`\\b${name}\\b`);
  return sources.flatMap(({ file, text }) =>
    text
      .split("\n")
      .filter((line) => !/^\s*(export const|export \{|import |\/\/|\*|\/\*\*)/.test(line))
      .filter((line) => line.includes(`"${value}"`) || constant.test(line))
      .map((line) => `${file}: ${line.trim()}`),
  );
}

const codes = Object.entries(HOST_CODES as Record<string, unknown>).filter((entry): entry is [string, string] => typeof entry[1] === "string");

describe("host error codes", () => {
  it("lists the codes as constants named after their values", () => {
    expect(codes.length).toBeGreaterThan(40);
    for (const [name, value] of codes) expect(name.toLowerCase(), name).toBe(value);
    expect(HOST_CODES.OAUTH_FLOW_ERROR_CODES.length).toBe(30);
  });

  it.each(codes)("%s is thrown (or answered) somewhere in the host", (name, value) => {
    expect(usesOf(name, value), `${value} has no throw site`).not.toEqual([]);
  });

  it("every error the host throws is a BackfillError: the classes left extending Error are listed, each with why", () => {
    const survivors: Record<string, string> = {
      // Private control flow: thrown and caught in one function, never reaching a caller.
      "runner/child.ts: HostGone": "private",
      "sync/commit.ts: DuplicateDelivery": "private",
      "sync/commit.ts: StreamLockLost": "private",
    };
    const extendingError = sources.flatMap(({ file, text }) => [...text.matchAll(/\bclass (\w+) extends Error\b/g)].map((m) => `${file}: ${m[1]}`));
    expect(extendingError.sort()).toEqual(Object.keys(survivors).sort());
  });

  it("errors are told apart by code, not by a kind field", () => {
    const kindReaders = sources.flatMap(({ file, text }) =>
      text
        .split("\n")
        .filter((line) => /\b(error|answer|f)\.kind\b/.test(line))
        .map(() => file),
    );
    expect([...new Set(kindReaders)]).toEqual([]);
  });

  it("no error or fix of the host names a CLI command (the CLI maps codes to its commands)", () => {
    // A command (`backfill connect`), or a flag of one (`serve --return-url-origin`).
    const command = /\bbackfill (connect|connections|credentials|keys|db|serve|worker|new|validate)\b|\b(serve|worker|connect) --[a-z]/;
    const offending = sources.flatMap(({ file, text }) =>
      text
        .split("\n")
        .filter((line) => /fix|Error\(|fix:/.test(line) && !/^\s*(\/\/|\*)/.test(line) && command.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });
});

describe("errors as they reach a route or a client", () => {
  const { newHost, errorTexts } = standInTestBed();

  it("an unknown connection is connection_not_found, not invalid_request", async () => {
    const host = await newHost();
    await expect(host.tokens.accessToken("conn_nope")).rejects.toMatchObject({ code: HOST_CODES.CONNECTION_NOT_FOUND, message: "no connection conn_nope" });
  });

  it("a missing app credential at connect: one code, the fix a field and not in the message", async () => {
    const host = await newHost();
    await host.credentials.delete("square_public_app");
    const error = await host.oauth.startAuthorization({ manifest: squareManifest, settings: {}, redirectUri: REDIRECT_URI }).catch((e: unknown) => e);
    errorTexts.push((error as Error).message);
    expect(error).toMatchObject({
      code: MISSING_CLIENT_CREDENTIAL,
      message: "no OAuth app credential square_public_app is set",
      fix: "set the OAuth app credential square_public_app (its client id and client secret)",
    });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: MISSING_CLIENT_CREDENTIAL, fix: expect.any(String) });
  });

  it("the bridge keeps an SDK code and its fix; a host-only error crosses as host_error", () => {
    const redactor = new Redactor();
    const sdkError = new BackfillError(MISSING_CLIENT_CREDENTIAL, "no OAuth app credential a is set", { credentialKey: "a" }, { fix: "set the OAuth app credential a" });
    expect(errorToBridge(sdkError, redactor)).toMatchObject({ code: MISSING_CLIENT_CREDENTIAL, fix: "set the OAuth app credential a", details: { credentialKey: "a" } });
    expect(errorToBridge(new Error("boom"), redactor)).toMatchObject({ code: HOST_CODES.HOST_ERROR, message: "boom" });
    expect(errorToBridge(new BackfillError(HOST_CODES.DATABASE_UNREACHABLE, "down", undefined, { fix: "start it" }), redactor)).toMatchObject({ code: HOST_CODES.HOST_ERROR });
  });
});
