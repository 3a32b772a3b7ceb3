import { describe, expect, it } from "vitest";
import { Redactor } from "@backfill-io/sdk";
import { squareProviderPlugin } from "../src/provider/index.js";

describe("Square token shapes (the plug-in's tokenPatterns)", () => {
  it("a redactor given them scrubs unregistered Square tokens", () => {
    const r = new Redactor();
    expect(r.redactString("EAAAl1234567890abcdefghij")).toContain("EAAAl1234567890");
    r.addTokenPatterns(squareProviderPlugin.tokenPatterns!);
    expect(r.redactString("EAAAl1234567890abcdefghij")).not.toContain("EAAAl1234567890");
  });
});

describe("squareEnvironmentHost", () => {
  const normalize = squareProviderPlugin.hostNormalizers!.squareEnvironmentHost!;
  it("maps production and sandbox to exactly their hosts, nothing else", () => {
    expect(normalize(" Production ")).toEqual({ ok: true, value: "connect.squareup.com" });
    expect(normalize("connect.squareupsandbox.com")).toEqual({ ok: true, value: "connect.squareupsandbox.com" });
    expect(normalize("evil.example.com")).toMatchObject({ ok: false });
  });
});
