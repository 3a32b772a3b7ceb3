// The manifest crosses to a route isolate once: an invocation with the manifest the isolate was
// last sent leaves it out, and the route side answers with the one it kept.
import { describe, expect, it } from "vitest";
import { manifestSentOnce, type InvokeMessage } from "../../src/runner/protocol.js";
import { demoManifest } from "./support.js";

const invocation = (manifest: InvokeMessage["manifest"], invocationId: number): InvokeMessage => ({
  type: "invoke",
  invocationId,
  moduleUrl: "file:///routes/sync/customers.js",
  exportName: "POST",
  input: { method: "POST", path: "/sync/customers", query: {}, headers: {}, rawBodyBytes: new Uint8Array() },
  manifest,
  connectionInfo: { connectionId: "conn_1", connectorKey: "demo" },
  readableSettings: {},
  callTimeoutMs: 1_000,
});

describe("manifestSentOnce", () => {
  it("sends a manifest with the first invocation and after it changed, never twice in a row", () => {
    const send = manifestSentOnce();
    const a = demoManifest(1);
    const b = demoManifest(2);
    expect(send(invocation(a, 1)).manifest).toBe(a);
    expect(send(invocation(a, 2))).not.toHaveProperty("manifest");
    expect(send(invocation(a, 3))).toMatchObject({ invocationId: 3, moduleUrl: "file:///routes/sync/customers.js" });
    // Another object (another connector version, a reloaded manifest) goes again, and so does the first after it.
    expect(send(invocation(b, 4)).manifest).toBe(b);
    expect(send(invocation(a, 5)).manifest).toBe(a);
  });
});
