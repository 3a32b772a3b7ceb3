// RouteRunner.describe caches what it loaded per route file. Attack: many distinct route
// strings (random 404s, or one route spelled many ways) must not grow the cache, and a
// route path cannot climb out of the routes directory.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listRouteFiles } from "@backfill-io/sdk";
import { RouteRunner } from "../../src/runner/index.js";
import { DEMO_DIR } from "./support.js";

let runner: RouteRunner;
const where = { connectorDir: DEMO_DIR };

beforeAll(() => {
  runner = new RouteRunner({ maxWorkersPerConnector: 1 });
});
afterAll(() => runner.close());

describe("RouteRunner.describe cache", () => {
  it("caches only routes that exist: 5,000 random misses leave it bounded by the route files", async () => {
    expect(await runner.describe(where, "0.1.0", "/webhook")).not.toBeNull();
    for (let i = 0; i < 5_000; i++) expect(await runner.describe(where, "0.1.0", `/${randomUUID()}`)).toBeNull();
    const routeFiles = listRouteFiles(runner.routesDir(DEMO_DIR)).length;
    expect(runner.describedCacheSize).toBeGreaterThan(0);
    expect(runner.describedCacheSize).toBeLessThanOrEqual(routeFiles);
  });

  it("keys the cache by route file, so spellings of one route share an entry", async () => {
    const before = runner.describedCacheSize;
    for (let i = 1; i <= 50; i++) await runner.describe(where, "0.1.0", `${"/".repeat(i)}webhook`);
    expect(runner.describedCacheSize).toBeLessThanOrEqual(before + 1);
  });

  it("finds no route outside the routes directory", async () => {
    expect(await runner.describe(where, "0.1.0", "/../api/webhook")).toBeNull();
    expect(await runner.describe(where, "0.1.0", "/sync/../webhook")).toBeNull();
    expect(runner.routeModule(runner.routesDir(DEMO_DIR), "/../api/probe")).toBeNull();
  });
});
