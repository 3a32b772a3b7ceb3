// The guide's five postConnect route-test cases, and the naming convention that lets
// `backfill validate` find them: a test's title starts with the case, e.g.
// it("missing token: 401 reauth_required ...") (the scaffold's tests are named so).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { filesUnder } from "./files.js";

export const ROUTE_TEST_CASES = ["connected", "missing token", "missing scope", "provider auth failure", "refresh failure"] as const;
export type RouteTestCase = (typeof ROUTE_TEST_CASES)[number];

/** "Missing-token → 401" → "missing token 401": case-insensitive, punctuation as spaces. */
function normalizeTitle(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

/** The case a test title names, when it starts with one. */
export function routeTestCaseOf(title: string): RouteTestCase | undefined {
  const normal = normalizeTitle(title);
  return ROUTE_TEST_CASES.find((c) => normal === c || normal.startsWith(`${c} `));
}

/** Test files under `<dir>/test` (recursively), fixtures and node_modules left out. */
export function testFiles(dir: string): string[] {
  return filesUnder(join(dir, "test"), /\.test\.[cm]?[jt]s$/, ["fixtures"]);
}

const TITLE = /\b(?:it|test)(?:\.(?:only|concurrent|sequential))?\(\s*(["'`])((?:\\.|(?!\1).)*)\1/g;

/** The titles of the tests in a file, read from its text (it("...") / test(`...`)). */
export function testTitlesIn(source: string): string[] {
  return [...source.matchAll(TITLE)].map((m) => m[2]!);
}

/** Which cases the test files name, and in which file. */
export function casesNamedIn(files: readonly string[]): Map<RouteTestCase, string> {
  const found = new Map<RouteTestCase, string>();
  for (const file of files) {
    for (const title of testTitlesIn(readFileSync(file, "utf8"))) {
      const c = routeTestCaseOf(title);
      if (c && !found.has(c)) found.set(c, file);
    }
  }
  return found;
}
