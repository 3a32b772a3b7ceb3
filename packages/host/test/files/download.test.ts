// Files.download through the real runner: a worker thread asks, the main thread streams the
// body with undici to a 0600 file under the data dir, judged by the same policy as Http.
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RouteRunner } from "../../src/runner/index.js";
import { CANARY_TOKEN, PROVIDER_HOST, startServer, type TestServer } from "../runner/support.js";
import { BULK_ROUTES, bulkServices, STORAGE_HOST, type BulkServices } from "./support.js";

const MB = 1024 * 1024;
const CHUNKS = 50;
/** One MB of JSONL lines (each line 1024 bytes, newline included). */
const CHUNK = Buffer.from(Array.from({ length: 1024 }, (_, i) => `{"id":"c${i}","pad":"${"x".repeat(1024 - 20 - String(i).length)}"}\n`).join(""));

let server: TestServer;
let runner: RouteRunner;
let services: BulkServices;
/** The partial file's size the server saw on disk after sending half of the 50 MB. */
let seenMidway = -1;

function partialSize(): number {
  const dir = join(services.files.store.dir, services.connectionId, "bulk_customers");
  const part = readdirSync(dir).find((n) => n.endsWith(".part"));
  return part ? statSync(join(dir, part)).size : 0;
}

async function sendChunked(res: import("node:http").ServerResponse): Promise<void> {
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  for (let i = 0; i < CHUNKS; i++) {
    if (!res.write(CHUNK)) await new Promise((r) => res.once("drain", r));
    if (i === CHUNKS / 2 - 1) {
      // Streamed, not buffered: what was sent so far reaches the file before the body ends.
      for (let tries = 0; tries < 200 && partialSize() < (CHUNKS / 2 - 2) * MB; tries++) await new Promise((r) => setTimeout(r, 25));
      seenMidway = partialSize();
    }
  }
  res.end();
}

beforeAll(async () => {
  server = await startServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/big.jsonl") return void sendChunked(res);
    if (path === "/declared-large") {
      res.writeHead(200, { "content-length": String(3 * MB) });
      return void res.end(Buffer.alloc(3 * MB, 0x61));
    }
    if (path === "/chunked-large") {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      for (let i = 0; i < 3; i++) res.write(CHUNK);
      return void res.end();
    }
    if (path === "/export") {
      res.writeHead(302, { location: `https://${STORAGE_HOST}/signed/result.jsonl?X-Goog-Signature=abc` });
      return void res.end();
    }
    if (path === "/export-evil") {
      res.writeHead(302, { location: "https://evil.example.net/steal" });
      return void res.end();
    }
    res.writeHead(200, { "content-type": "application/x-ndjson" });
    res.end('{"id":"s1"}\n');
  });
  runner = new RouteRunner({ routeTimeoutMs: 60_000 });
  services = bulkServices(server.port, server.base);
});

afterAll(async () => {
  await runner.close();
  await services.files.transport.close();
  await server.close();
});

afterEach(async () => {
  await services.files.store.removeStream(services.connectionId, "bulk_customers");
});

async function probe(body: Record<string, unknown>) {
  const result = await runner.runRoute({ routesDir: BULK_ROUTES, services, route: "/files/probe", input: { rawBody: JSON.stringify(body) } });
  return { ...result, json: JSON.parse(result.bodyText) as Record<string, unknown> & { error?: { code: string; message: string } } };
}

const storedFiles = () => {
  try {
    return readdirSync(join(services.files.store.dir, services.connectionId, "bulk_customers"));
  } catch {
    return [];
  }
};

describe("Files.download on the host", () => {
  it("streams a 50 MB body to a 0600 file in chunks (never whole in memory) and answers only metadata", async () => {
    const result = await probe({ url: `${server.base}/big.jsonl`, maxBytes: 64 * MB });
    expect(result.status).toBe(200);
    const expected = createHash("sha256");
    for (let i = 0; i < CHUNKS; i++) expected.update(CHUNK);
    expect(result.json).toEqual({ fileId: expect.stringMatching(/^bulk_customers\.[0-9a-f]{32}$/) as unknown, bytes: CHUNKS * MB, sha256: expected.digest("hex") });
    expect(seenMidway).toBeGreaterThanOrEqual((CHUNKS / 2 - 2) * MB);
    const dir = join(services.files.store.dir, services.connectionId, "bulk_customers");
    expect(statSync(join(dir, result.json.fileId as string)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(storedFiles().filter((n) => n.endsWith(".part"))).toEqual([]);
    expect(result.staged.downloadedFiles).toEqual([result.json.fileId]);
  });

  it("a declared size over maxBytes is refused before anything is written", async () => {
    const result = await probe({ url: `${server.base}/declared-large`, maxBytes: 2 * MB });
    expect(result.json.error).toMatchObject({ code: "file_too_large" });
    expect(storedFiles()).toEqual([]);
  });

  it("a chunked body that grows past maxBytes fails while streaming and the partial file is removed", async () => {
    const result = await probe({ url: `${server.base}/chunked-large`, maxBytes: 2 * MB });
    expect(result.json.error).toMatchObject({ code: "file_too_large" });
    expect(storedFiles()).toEqual([]);
  });

  it("refuses a host outside permissions.http, and a redirect to one, sending nothing there", async () => {
    const before = server.requests.length;
    expect((await probe({ url: "https://evil.example.net/x.jsonl" })).json.error).toMatchObject({ code: "permission_denied" });
    expect(server.requests.length).toBe(before);
    expect((await probe({ url: `https://${PROVIDER_HOST}/export-evil`, oauth: true })).json.error).toMatchObject({ code: "permission_denied" });
    expect(storedFiles()).toEqual([]);
  });

  it("refuses a route's own Host header (another virtual host behind an allowed address), sending nothing", async () => {
    const before = server.requests.length;
    const result = await probe({ url: `${server.base}/x.jsonl`, headers: { Host: "internal.example" } });
    expect(result.json.error).toMatchObject({ code: "permission_denied" });
    expect(server.requests.length).toBe(before);
    expect(storedFiles()).toEqual([]);
  });

  it("never sends the OAuth token to the signed-URL host: refused when asked, dropped across the provider's redirect", async () => {
    // Asked directly: the storage host is allowed by a wildcard only, so it is no token host.
    const refused = await probe({ url: `https://${STORAGE_HOST}/signed/result.jsonl`, oauth: true });
    expect(refused.json.error).toMatchObject({ code: "permission_denied" });
    expect(refused.bodyText).not.toContain(CANARY_TOKEN);

    const before = server.requests.length;
    const followed = await probe({ url: `https://${PROVIDER_HOST}/export`, oauth: true });
    expect(followed.status).toBe(200);
    const [exportCall, storageCall] = server.requests.slice(before);
    expect(exportCall!.headers.authorization).toBe(`Bearer ${CANARY_TOKEN}`);
    expect(storageCall!.url).toBe("/signed/result.jsonl?X-Goog-Signature=abc");
    expect(storageCall!.headers["x-forwarded-host"]).toBe(STORAGE_HOST);
    expect(storageCall!.headers.authorization).toBeUndefined();
    expect(JSON.stringify(storageCall!.headers)).not.toContain(CANARY_TOKEN);

    // Without auth.oauth, no token at all, even to the provider's own host.
    const plain = await probe({ url: `https://${STORAGE_HOST}/signed/plain.jsonl` });
    expect(plain.status).toBe(200);
    expect(server.requests.at(-1)!.headers.authorization).toBeUndefined();
    await services.files.store.removeStream(services.connectionId, "bulk_customers");
  });
});

describe("Files.readLines on the host", () => {
  it("slices whole lines over multi-byte characters; a line over maxBytes, an offset inside a line and another connection's file are clear errors", async () => {
    const { json } = await probe({ url: `https://${STORAGE_HOST}/signed/plain.jsonl` });
    const fileId = json.fileId as string;
    const store = services.files.store;
    // A file with multi-byte characters, written where a download would put it.
    const partial = await store.createPartial(services.connectionId, "bulk_customers");
    const text = '{"n":"Zoë"}\n{"n":"東京"}\n{"n":"🦄🦄"}\n';
    const { writeFileSync } = await import("node:fs");
    writeFileSync(partial.partialPath, text, { mode: 0o600 });
    await store.complete(partial);
    const read = (body: Record<string, unknown>) => probe({ read: body });
    const slices: string[] = [];
    let offset = 0;
    for (;;) {
      const slice = (await read({ fileId: partial.fileId, offset, maxBytes: 19 })).json as { lines: string[]; nextOffset: number; eof: boolean };
      slices.push(...slice.lines);
      offset = slice.nextOffset;
      if (slice.eof) break;
    }
    expect(slices).toEqual(text.trimEnd().split("\n"));
    expect((await read({ fileId: partial.fileId, offset: 0, maxBytes: 8 })).json.error).toMatchObject({ code: "file_line_too_long" });
    expect((await read({ fileId: partial.fileId, offset: 2 })).json.error).toMatchObject({ code: "file_offset_invalid" });
    expect((await read({ fileId: "../../../../etc/passwd", offset: 0 })).json.error).toMatchObject({ code: "invalid_request" });
    // Another connection's route names this file id: it is not found in its own directory.
    const other = { ...services, connectionId: "conn_other" };
    const foreign = await runner.runRoute({ routesDir: BULK_ROUTES, services: other, route: "/files/probe", input: { rawBody: JSON.stringify({ read: { fileId, offset: 0 } }) } });
    expect(JSON.parse(foreign.bodyText)).toMatchObject({ error: { code: "file_not_found" } });
    expect((await probe({ remove: fileId })).json).toEqual({ removed: true });
    expect((await read({ fileId, offset: 0 })).json.error).toMatchObject({ code: "file_not_found" });
    await store.removeStream(services.connectionId, "bulk_customers");
  });
});
