// api.json answers as Response.json does (its body stream built only when read), and keeps the
// text it wrote for the host (serialisedBodyText). Each reader is compared with Response.json's.
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

  const pair = () =>
    [
      api.json({ page: 3, list: ["é"] }, { status: 202, statusText: "Accepted", headers: { "x-page": "3" } }),
      Response.json({ page: 3, list: ["é"] }, { status: 202, statusText: "Accepted", headers: { "x-page": "3" } }),
    ] as const;

  it("is a Response, with Response.json's status, statusText, ok and headers", () => {
    const [ours, theirs] = pair();
    expect(ours).toBeInstanceOf(Response);
    expect([ours.status, ours.statusText, ours.ok, ours.type, ours.redirected]).toEqual([theirs.status, theirs.statusText, theirs.ok, theirs.type, theirs.redirected]);
    expect([...ours.headers]).toEqual([...theirs.headers]);
  });

  it.each(["text", "json", "arrayBuffer", "bytes"] as const)("reads as Response.json reads, with %s(), once", async (reader) => {
    const [ours, theirs] = pair();
    expect(ours.bodyUsed).toBe(false);
    const read = (r: Response) => (r as unknown as Record<string, () => Promise<unknown>>)[reader]!.call(r);
    expect(await read(ours)).toEqual(await read(theirs));
    expect(ours.bodyUsed).toBe(true);
    await expect(read(ours)).rejects.toThrow(TypeError);
    await expect(read(theirs)).rejects.toThrow(TypeError);
  });

  it("gives a blob of the body's content-type, as Response.json does", async () => {
    const [ours, theirs] = pair();
    const [a, b] = [await ours.blob(), await theirs.blob()];
    expect(a.type).toBe(b.type);
    expect(await a.text()).toBe(await b.text());
  });

  it("streams its body, and is used once the stream is read", async () => {
    const [ours, theirs] = pair();
    expect(ours.body).toBeInstanceOf(ReadableStream);
    expect(await new Response(ours.body).text()).toBe(await new Response(theirs.body).text());
    expect(ours.bodyUsed).toBe(true);
    expect(serialisedBodyText(ours)).toBeUndefined();
  });

  it("clones as Response.json clones: unread, after its stream was taken, and not once read", async () => {
    const [ours, theirs] = pair();
    const copy = ours.clone();
    expect([copy.status, copy.statusText, [...copy.headers]]).toEqual([theirs.status, theirs.statusText, [...theirs.headers]]);
    expect(await copy.text()).toBe(await theirs.clone().text());
    expect(ours.body).not.toBeNull();
    const teed = ours.clone();
    expect([teed.status, await teed.text(), await ours.text()]).toEqual([202, '{"page":3,"list":["é"]}', '{"page":3,"list":["é"]}']);
    expect(() => ours.clone()).toThrow(TypeError);
    await theirs.text();
    expect(() => theirs.clone()).toThrow(TypeError);
  });

  it("refuses a status that takes no body, as Response does", () => {
    expect(() => api.json({ a: 1 }, { status: 204 })).toThrow(TypeError);
    expect(() => new Response("{}", { status: 204 })).toThrow(TypeError);
    expect(() => api.json({ a: 1 }, { status: 99 })).toThrow(RangeError);
  });
});
