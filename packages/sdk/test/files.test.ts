// Files in the test runtime: downloads answered by scripted HTTP, checked by the same
// policy as the host (manifest, token hosts, redirects, size cap), read a slice at a time.
import { createHash } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { api, Checkpoint, defineConnector, Files, type FileLines } from "../src/index.js";
import { sliceLines, checkReadLinesOptions } from "../src/policy/index.js";
import { connectorTestRuntime, type ConnectorTestRuntime } from "../src/testing/index.js";

const CANARY_TOKEN = "canary-files-token-7c41d2";
const STORAGE = "https://storage.googleapis.com/bulk/result.jsonl";

const manifest = defineConnector({
  key: "bulkdemo",
  name: "Bulk demo",
  version: "0.1.0",
  permissions: {
    http: ["https://api.example.com/*", "https://storage.googleapis.com/bulk/*"],
    entities: { Customer: ["write"] },
    secrets: {},
    files: { maxBytes: 1024 * 1024 },
  },
  connection: {
    oauth: {
      type: "authorization_code",
      authorizationUrlTemplate: "https://api.example.com/oauth/authorize",
      tokenUrlTemplate: "https://api.example.com/oauth/token",
      client: { credentialKey: "bulkdemo_app" },
    },
  },
  streams: [{ name: "customers", route: "/sync/customers", entity: "customer" }],
});

let runtime: ConnectorTestRuntime | undefined;
afterEach(() => runtime?.restore());
const rt = (m = manifest) => (runtime = connectorTestRuntime({ manifest: m, oauth: { accessToken: CANARY_TOKEN } }).install());

type Body = { url?: string; maxBytes?: number; oauth?: boolean; read?: { fileId: string; offset: number; maxLines?: number; maxBytes?: number } };
const route = api((request) => {
  const body = request.body as Body;
  if (body.read) return api.json(Files.readLines(body.read.fileId, body.read));
  const file = Files.download(body.url ?? STORAGE, { stream: "customers", maxBytes: body.maxBytes ?? 1024, ...(body.oauth ? { auth: { oauth: true } } : {}) });
  return api.json(file);
});

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  expect(res.status).toBeGreaterThanOrEqual(400);
  return ((await res.json()) as { error: { code: string; message: string } }).error;
}

describe("Files.download in the test runtime", () => {
  it("stores the body and answers only metadata: id, size and SHA-256", async () => {
    const r = rt();
    const text = '{"id":1}\n{"id":2}\n';
    r.http.getOnce(STORAGE, { body: text });
    const res = await r.call(route, { method: "POST", body: {} });
    const file = (await res.json()) as { fileId: string; bytes: number; sha256: string };
    expect(file).toEqual({ fileId: expect.stringMatching(/^customers\.[0-9a-f]{32}$/) as unknown, bytes: text.length, sha256: createHash("sha256").update(text).digest("hex") });
    expect(r.files.ids("customers")).toEqual([file.fileId]);
    // No token unless the route asks: a signed URL carries its own credential.
    expect(r.http.calls[0]!.opts.headers).toEqual({});
  });

  it("refuses a host outside permissions.http before any request", async () => {
    const r = rt();
    const error = await errorOf(await r.call(route, { method: "POST", body: { url: "https://evil.example.net/x.jsonl" } }));
    expect(error.code).toBe("permission_denied");
    expect(r.http.calls).toHaveLength(0);
  });

  it("sends the token only to the token host it was asked for, never across a redirect to the signed storage URL", async () => {
    const r = rt();
    // The provider API (a token host) redirects to the signed storage URL: the token stays behind.
    r.http.getOnce("https://api.example.com/exports/1", { status: 302, headers: { location: STORAGE }, body: "" });
    r.http.getOnce(STORAGE, { body: "{}\n" });
    const res = await r.call(route, { method: "POST", body: { url: "https://api.example.com/exports/1", oauth: true } });
    expect(res.status).toBe(200);
    expect(r.http.calls.map((c) => c.url)).toEqual(["https://api.example.com/exports/1", STORAGE]);
    expect(r.http.calls[0]!.opts.headers.authorization).toBe(`Bearer ${CANARY_TOKEN}`);
    expect(r.http.calls[1]!.opts.headers).toEqual({});
    expect(r.leaked(CANARY_TOKEN)).toBe(false);
  });

  it("refuses a redirect to a host outside permissions.http", async () => {
    const r = rt();
    r.http.getOnce(STORAGE, { status: 307, headers: { location: "https://evil.example.net/steal" }, body: "" });
    const error = await errorOf(await r.call(route, { method: "POST", body: {} }));
    expect(error.code).toBe("permission_denied");
    expect(r.http.calls).toHaveLength(1);
    expect(r.files.ids()).toEqual([]);
  });

  it("a body over maxBytes is file_too_large and nothing is stored", async () => {
    const r = rt();
    r.http.getOnce(STORAGE, { body: "x".repeat(2000) });
    const error = await errorOf(await r.call(route, { method: "POST", body: { maxBytes: 1999 } }));
    expect(error.code).toBe("file_too_large");
    expect(r.files.ids()).toEqual([]);
  });

  it("maxBytes above the manifest's permissions.files.maxBytes, or no permissions.files at all, is refused", async () => {
    const r = rt();
    expect((await errorOf(await r.call(route, { method: "POST", body: { maxBytes: 2 * 1024 * 1024 } }))).code).toBe("permission_denied");
    r.restore();
    const undeclared = defineConnector({ ...manifest, permissions: { ...manifest.permissions, files: undefined } });
    const r2 = rt(undeclared);
    const error = await errorOf(await r2.call(route, { method: "POST", body: {} }));
    expect(error).toMatchObject({ code: "permission_denied", message: expect.stringContaining("permissions.files") as unknown });
    expect(r2.http.calls).toHaveLength(0);
  });
});

describe("Files.readLines", () => {
  const text = ['{"name":"Zoë"}', '{"name":"東京"}', '{"name":"🦄🦄"}', '{"last":true}'].join("\n"); // no final newline

  it("reads whole lines across pages from the committed offset, multi-byte characters intact", async () => {
    const r = rt();
    r.http.getOnce(STORAGE, { body: text });
    const pageRoute = api(() => {
      const state = Checkpoint.get<{ fileId?: string; offset?: number }>("customers");
      const fileId = state?.fileId ?? Files.download(STORAGE, { stream: "customers", maxBytes: 1024 }).fileId;
      // 20 bytes: never enough for two of these lines, and the cut falls inside a character.
      const slice = Files.readLines(fileId, { offset: state?.offset ?? 0, maxBytes: 20 });
      Checkpoint.set("customers", { fileId, offset: slice.nextOffset }, { hasMore: !slice.eof });
      return api.json(slice);
    });
    const slices: FileLines[] = [];
    do slices.push((await (await r.call(pageRoute, { method: "POST" })).json()) as FileLines);
    while (r.hasMore("customers"));
    expect(slices.flatMap((s) => s.lines)).toEqual(text.split("\n"));
    expect(slices.every((s) => s.lines.length === 1)).toBe(true);
    expect(slices.at(-1)).toMatchObject({ eof: true, nextOffset: Buffer.byteLength(text) });
    // The stream's sync ended: its files are gone, as the host removes them.
    expect(r.files.ids()).toEqual([]);
  });

  it("a line longer than maxBytes, an offset inside a line and an unknown file are clear errors", async () => {
    const r = rt();
    r.http.getOnce(STORAGE, { body: text });
    const { fileId } = (await (await r.call(route, { method: "POST", body: {} })).json()) as { fileId: string };
    const read = async (offset: number, maxBytes = 1024, id = fileId) => r.call(route, { method: "POST", body: { read: { fileId: id, offset, maxBytes } } });
    expect((await errorOf(await read(0, 10))).code).toBe("file_line_too_long");
    expect((await errorOf(await read(3))).code).toBe("file_offset_invalid");
    expect((await errorOf(await read(100_000))).code).toBe("file_offset_invalid");
    expect((await errorOf(await read(0, 1024, `customers.${"0".repeat(32)}`))).code).toBe("file_not_found");
    expect((await errorOf(await read(0, 1024, "../../etc/passwd"))).code).toBe("invalid_request");
  });

  it("a failed call's download is removed (its checkpoint was never committed)", async () => {
    const r = rt();
    r.http.getOnce(STORAGE, { body: "{}\n" });
    const failing = api(() => {
      Files.download(STORAGE, { stream: "customers", maxBytes: 1024 });
      return api.error("provider hiccup", { status: 502 });
    });
    expect((await r.call(failing, { method: "POST" })).status).toBe(502);
    expect(r.files.ids()).toEqual([]);
  });
});

describe("sliceLines (the slicing both bindings use)", () => {
  const opts = (o: Partial<{ maxLines: number; maxBytes: number }> = {}) => checkReadLinesOptions({ offset: 0, ...o });
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("stops at maxLines, strips CRLF, and keeps an unterminated last line only at the end of the file", () => {
    expect(sliceLines(bytes("a\r\nb\nc\n"), 0, opts({ maxLines: 2 }), true)).toEqual({ lines: ["a", "b"], nextOffset: 5, eof: false });
    expect(sliceLines(bytes("a\nb"), 10, opts(), false)).toEqual({ lines: ["a"], nextOffset: 12, eof: false });
    expect(sliceLines(bytes("a\nb"), 10, opts(), true)).toEqual({ lines: ["a", "b"], nextOffset: 13, eof: true });
    expect(sliceLines(bytes(""), 7, opts(), true)).toEqual({ lines: [], nextOffset: 7, eof: true });
    expect(sliceLines(bytes("\n\n"), 0, opts(), true)).toEqual({ lines: ["", ""], nextOffset: 2, eof: true });
  });

  it("refuses bytes that are not UTF-8", () => {
    expect(() => sliceLines(new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]), 0, opts(), true)).toThrow(expect.objectContaining({ code: "file_not_utf8" }));
  });
});
