// The runner knows no data dir of its own (it depends on no other host part): an isolated
// route runs only when the wiring named the paths its child must never read.
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { ISOLATED_NEEDS_PROTECTED_PATHS, RouteRunner } from "../../src/runner/index.js";
import { DEMO_DIR, fakeServices } from "./support.js";

const runner = new RouteRunner({ isolation: "isolated" });

afterAll(async () => {
  await runner.close();
});

it("refuses to run a route isolated without protectedPaths, and starts no child", async () => {
  const result = await runner.runRoute({ routesDir: join(DEMO_DIR, "src", "api"), services: fakeServices(1), route: "/sync/customers" });
  expect(result.status).toBe(500);
  expect(JSON.parse(result.bodyText)).toMatchObject({ error: { code: ISOLATED_NEEDS_PROTECTED_PATHS } });
  expect(runner.workersStarted).toBe(0);
});
