// The generated references (docs/manifest-reference.md, docs/sdk-reference.md) match the
// schema and the SDK as they are now, and describe every field and call.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { manifestSchema } from "@backfill-io/sdk";
import { DOCS_DIR, GENERATED_DOCS } from "../docs-gen/write.js";
import { undocumentedManifestFields } from "../docs-gen/manifest-reference.js";
import { sdkCalls, undocumentedSdkCalls } from "../docs-gen/sdk-reference.js";
import { schemaFields } from "../docs-gen/schema-fields.js";

describe("generated docs", () => {
  for (const [name, render] of Object.entries(GENERATED_DOCS)) {
    it(`docs/${name} is up to date (regenerate with: npm run docs)`, () => {
      expect(readFileSync(DOCS_DIR + name, "utf8")).toBe(render());
    });
  }

  it("every manifest field and every runtime call is described", () => {
    expect(undocumentedManifestFields()).toEqual([]);
    expect(undocumentedSdkCalls()).toEqual([]);
  });

  it("the reference reads the real schema and calls (defaults, rules, signatures)", () => {
    const scopes = schemaFields(manifestSchema).find((f) => f.path === "connection.oauth.client.authMethod")!;
    expect(scopes).toMatchObject({ default: "client_secret_post" });
    const text = readFileSync(DOCS_DIR + "manifest-reference.md", "utf8");
    // RFC 7009 by default, or a provider's own shape described as data (no provider name in the schema).
    expect(text).toContain('| `connection.oauth.revocationRequest` | literal "rfc7009" \\| object |  | `"rfc7009"`');
    expect(sdkCalls().map((c) => c.name)).toEqual(expect.arrayContaining(["OAuth.accessToken", "Http.get", "Connection.info", "Checkpoint.set", "log.warn"]));
  });
});
