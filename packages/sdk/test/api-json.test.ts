// api.json answers as Response.json does, and keeps the text it wrote for the host (serialisedBodyText).
import { describe, expect, it } from "vitest";
import { api, serialisedBodyText } from "../src/api/api.js";

describe("api.json", () => {
  it("answers as Response.json: status, content-type, body", async () => {
    const ours = api.json({ b: 1, a: [true, null] }, { status: 201, headers: { "x-page": "2" } });
    const theirs = Response.json({ b: 1, a: [true, null] }, { status: 201, headers: { "x-page": "2" } });
    expect(ours.status).toBe(theirs.status);
    expect([...ours.headers]).toEqual([...theirs.headers]);
    expect(await ours.text()).toBe(await theirs.text());
  });

  it("answers JSON without headers of the route's, as Response.json", () => {
    expect([...api.json({ a: 1 }).headers]).toEqual([...Response.json({ a: 1 }).headers]);
  });

  it("keeps a content-type the route set", () => {
    expect(api.json({}, { headers: { "content-type": "application/problem+json" } }).headers.get("content-type")).toBe("application/problem+json");
  });

  it("refuses what JSON cannot carry, as Response.json does", () => {
    expect(() => api.json(undefined)).toThrow(TypeError);
    expect(() => Response.json(undefined)).toThrow(TypeError);
  });

  it("gives the host the text it wrote until the body is read, and nothing for another Response", async () => {
    const response = api.json({ page: 3 });
    expect(serialisedBodyText(response)).toBe('{"page":3}');
    await response.text();
    expect(serialisedBodyText(response)).toBeUndefined();
    expect(serialisedBodyText(Response.json({ page: 3 }))).toBeUndefined();
  });
});
