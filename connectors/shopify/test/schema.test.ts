// Every document the connector sends must be valid against Shopify's real Admin schema
// for the version the connector pins.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateAdminDocument, ADMIN_API_VERSION as SCHEMA_VERSION } from "@backfill-io/shopify-admin-schema";
import * as documents from "../src/lib/documents.js";

const { ADMIN_API_VERSION, ALL_DOCUMENTS } = documents;
const SRC = fileURLToPath(new URL("../src", import.meta.url));

describe(`GraphQL documents against the real Admin schema`, () => {
  it("pins the same API version as the schema package", () => {
    expect(ADMIN_API_VERSION).toBe(SCHEMA_VERSION);
  });
  it("the validator refuses a field the schema does not have", () => {
    expect(validateAdminDocument("{ shop { id notAShopField } }").length).toBeGreaterThan(0);
  });
  it("ALL_DOCUMENTS holds every document documents.ts exports, and no other file writes GraphQL", () => {
    const exported = Object.entries(documents).filter(([name, value]) => (name.endsWith("_QUERY") || name.endsWith("_MUTATION")) && typeof value === "string");
    expect(Object.keys(ALL_DOCUMENTS).sort()).toEqual(exported.map(([name]) => name).sort());
    const elsewhere = readdirSync(SRC, { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts") && !file.endsWith("documents.ts"))
      // A GraphQL document in a template literal starts with an operation, a fragment or "{".
      .filter((file) => /`\s*(query|mutation|subscription|fragment)\b|`\s*\{/.test(readFileSync(join(SRC, file), "utf8")));
    expect(elsewhere).toEqual([]);
  });
  for (const [name, document] of Object.entries({ ...ALL_DOCUMENTS, ...documents.BULK_DOCUMENTS })) {
    it(`${name} is valid`, () => {
      expect(validateAdminDocument(document).map((e) => e.message)).toEqual([]);
    });
  }
});
