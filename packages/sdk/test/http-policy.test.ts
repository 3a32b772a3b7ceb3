import { describe, expect, it } from "vitest";
import { assertHttpAllowed, parseHttpPattern } from "../src/policy/index.js";

const allow = ["https://*.myshopify.com/*", "https://connect.squareup.com/v2/*", "http://127.0.0.1:8080/api/*"];

function denied(url: string): string | null {
  try {
    assertHttpAllowed(url, allow);
    return null;
  } catch (error) {
    expect((error as { code: string }).code).toBe("permission_denied");
    return (error as Error).message;
  }
}

describe("permissions.http", () => {
  it.each([
    "https://acme.myshopify.com/admin/api/2026-10/graphql.json",
    "https://ACME.myshopify.com/x?y=1",
    "https://connect.squareup.com/v2/orders/search",
    "https://acme.myshopify.com:443/admin",
    "http://127.0.0.1:8080/api/items",
  ])("allows %s", (url) => expect(denied(url)).toBeNull());

  it.each([
    ["another host", "https://evil.com/admin"],
    ["a suffix look-alike", "https://acme.myshopify.com.evil.com/admin"],
    ["two labels for one *", "https://a.b.myshopify.com/admin"],
    ["the bare domain", "https://myshopify.com/admin"],
    ["plain http", "http://acme.myshopify.com/admin"],
    ["another port", "https://acme.myshopify.com:8443/admin"],
    ["userinfo", "https://user:pw@acme.myshopify.com/admin"],
    ["a path outside the prefix", "https://connect.squareup.com/oauth2/token"],
    ["a relative URL", "/admin"],
    ["a fragment trick", "https://evil.com#.myshopify.com/"],
    ["an empty label for *", "https://.myshopify.com/admin"],
    ["a trailing-dot host", "https://acme.myshopify.com./admin"],
    ["a backslash userinfo trick", "https://evil.com\\@acme.myshopify.com/admin"],
    ["dot segments out of the path prefix", "https://connect.squareup.com/v2/../oauth2/token"],
    ["encoded dot segments out of the path prefix", "https://connect.squareup.com/v2/%2e%2e/oauth2/token"],
  ])("denies %s", (_why, url) => expect(denied(url)).not.toBeNull());

  it("names the URL without its query", () => {
    const message = denied("https://evil.com/steal?access_token=shpat_secret123456");
    expect(message).toContain("https://evil.com/steal");
    expect(message).not.toContain("shpat_secret");
    expect(message).not.toContain("access_token");
  });

  it("rejects malformed patterns", () => {
    expect(parseHttpPattern("https://*/x")).toHaveProperty("error");
    expect(parseHttpPattern("https://a@b.com/x")).toHaveProperty("error");
    expect(parseHttpPattern("ftp://a.com/x")).toHaveProperty("error");
    expect(parseHttpPattern("https://a.com/x*y")).toHaveProperty("error");
  });
});

describe("permissions.http parsed once per list", () => {
  it("checks a list changed in place against what it holds now, not what it held when first parsed", () => {
    const patterns = ["https://api.example.com/v1/*"];
    expect(assertHttpAllowed("https://api.example.com/v1/orders", patterns).hostname).toBe("api.example.com");
    patterns[0] = "https://other.example.com/*";
    expect(() => assertHttpAllowed("https://api.example.com/v1/orders", patterns)).toThrow(/not allowed by permissions.http/);
    expect(assertHttpAllowed("https://other.example.com/x", patterns).hostname).toBe("other.example.com");
    patterns.push("https://api.example.com/v1/*");
    expect(assertHttpAllowed("https://api.example.com/v1/orders", patterns).hostname).toBe("api.example.com");
  });
});
