// Checkpoint.get(stream, schema) through the real route runner (a worker thread, the
// synchronous bridge, real HTTP): the same refusal as in connectorTestRuntime. A tampered
// stored checkpoint gives 500 checkpoint_invalid, naming the field and not its value, with
// no provider request and nothing staged.
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RouteRunner, createUndiciTransport } from "../../src/runner/index.js";
import { customerPages, fakeServices, json, startServer, type TestServer } from "./support.js";

const CONNECTOR_DIR = fileURLToPath(new URL("../fixtures/checkpoint-schema", import.meta.url));
const CANARY = "CANARY_tampered_page_91c2";

let server: TestServer;
let runner: RouteRunner;

beforeAll(async () => {
  const pages = customerPages(2, 1);
  server = await startServer((req, res) => json(res, 200, pages(Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1))));
  runner = new RouteRunner({ transport: createUndiciTransport({}), routeTimeoutMs: 10_000, http: { maxResponseBytes: 100_000 } });
});

afterAll(async () => {
  await runner.close();
  await server.close();
});

describe("Checkpoint.get(stream, schema) in the host", () => {
  it("a stored checkpoint of the schema's shape is read as parsed", async () => {
    const services = fakeServices(server.port);
    services.checkpoints.set("customers", { page: 2 });
    const result = await runner.runRoute({ connectorDir: CONNECTOR_DIR, services, route: "/sync/customers" });
    expect(result.status).toBe(200);
    expect(JSON.parse(result.bodyText)).toMatchObject({ accepted: 1, page: 2 });
    expect(server.requests.at(-1)?.url).toBe("/customers?page=2");
  });

  it("a tampered one is refused: 500 checkpoint_invalid, the field named, its value not; no request, nothing staged", async () => {
    const services = fakeServices(server.port);
    services.checkpoints.set("customers", { page: CANARY });
    const before = server.requests.length;
    const result = await runner.runRoute({ connectorDir: CONNECTOR_DIR, services, route: "/sync/customers" });
    expect(result.status).toBe(500);
    const body = JSON.parse(result.bodyText) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("checkpoint_invalid");
    expect(body.error.message).toMatch(/page/);
    expect(result.bodyText).not.toContain(CANARY);
    expect(JSON.stringify(services.logged)).not.toContain(CANARY);
    expect(server.requests.length).toBe(before);
    expect(result.staged.records).toEqual([]);
    expect(result.staged.checkpoints).toEqual([]);
  });
});
