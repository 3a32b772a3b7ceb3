import { describe, expect, it } from "vitest";
import { ADMIN_API_VERSION, loadAdminSchema, validateAdminDocument } from "../src/index.js";

describe("Shopify Admin schema", () => {
  it("loads the 2026-10 schema with the query root", () => {
    expect(ADMIN_API_VERSION).toBe("2026-10");
    const schema = loadAdminSchema();
    expect(schema.getQueryType()?.name).toBe("QueryRoot");
    expect(schema.getType("Order")).toBeDefined();
    expect(loadAdminSchema()).toBe(schema);
  });

  it("validates a real shop query", () => {
    expect(validateAdminDocument("{ shop { id name myshopifyDomain } }")).toEqual([]);
  });

  it("rejects an unknown field", () => {
    const errors = validateAdminDocument("{ shop { id notAField } }");
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]?.message).toContain("notAField");
  });

  it("reports a syntax error as a GraphQLError", () => {
    const errors = validateAdminDocument("{ shop { id ");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/Syntax Error/);
  });
});
