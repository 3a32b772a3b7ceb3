// Every document the connector sends must be valid against Shopify's real Admin schema
// for the version the connector pins.
import { describe, expect, it } from "vitest";
import { validateAdminDocument, ADMIN_API_VERSION as SCHEMA_VERSION } from "@backfill-io/shopify-admin-schema";
import { ADMIN_API_VERSION, ALL_DOCUMENTS } from "../src/lib/documents.js";

describe(`GraphQL documents against the real Admin schema`, () => {
  it("pins the same API version as the schema package", () => {
    expect(ADMIN_API_VERSION).toBe(SCHEMA_VERSION);
  });
  it("the validator refuses a field the schema does not have", () => {
    expect(validateAdminDocument("{ shop { id notAShopField } }").length).toBeGreaterThan(0);
  });
  for (const [name, document] of Object.entries(ALL_DOCUMENTS)) {
    it(`${name} is valid`, () => {
      expect(validateAdminDocument(document).map((e) => e.message)).toEqual([]);
    });
  }
});
