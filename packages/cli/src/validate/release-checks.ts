// The guide's release checklist beyond what the manifest alone shows: the postConnect route
// file exists and answers the provider account; the route tests cover the five cases (and,
// when run, pass without token-looking strings in the route logs); scopes are declared;
// auth.oauth is used only where it can attach a token. Each row says why it is a "no".
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { routeFile, type ConnectorManifest } from "@backfill-io/sdk";
import { parseHttpPattern, placeholdersInHost } from "@backfill-io/sdk/policy";
import { casesNamedIn, ROUTE_TEST_CASES, routeTestCaseOf, testFiles } from "./route-test-cases.js";
import type { RouteTestRun } from "./run-route-tests.js";
import { filesUnder } from "./files.js";

export type ChecklistRow = { name: string; ok: boolean; detail?: string };

export const POST_CONNECT_CHECK = "postConnect route exists and returns the provider account";
export const ROUTE_TESTS_CHECK = `route tests cover ${ROUTE_TEST_CASES.join(", ")}`;
export const LOG_CHECK = "no token-looking strings in route logs during the tests";
export const SCOPES_CHECK = "OAuth scopes declared";
export const OAUTH_HOSTS_CHECK = "auth.oauth used only with hosts it can attach to";

/** The connector's TypeScript/JavaScript sources under src/ (tests left out). */
function sourceFiles(dir: string): string[] {
  return filesUnder(join(dir, "src"), /^(?!.*\.test\.).*\.[cm]?[jt]s$/);
}

function postConnectCheck(m: ConnectorManifest, dir: string, routesDir: string): ChecklistRow {
  const route = m.connection.oauth?.postConnect?.route;
  if (!route) return { name: POST_CONNECT_CHECK, ok: false, detail: "no connection.oauth.postConnect in the manifest" };
  const file = routeFile(routesDir, route);
  if (!file) return { name: POST_CONNECT_CHECK, ok: false, detail: `no route file for ${route} under ${relative(dir, routesDir) || "."}` };
  if (!/\bproviderAccountId\b/.test(readFileSync(file, "utf8"))) {
    return { name: POST_CONNECT_CHECK, ok: false, detail: `${relative(dir, file)} never answers providerAccountId (the host stores the account it names)` };
  }
  return { name: POST_CONNECT_CHECK, ok: true, detail: relative(dir, file) };
}

function scopesCheck(m: ConnectorManifest): ChecklistRow {
  const scopes = m.connection.oauth?.scopes ?? [];
  return scopes.length
    ? { name: SCOPES_CHECK, ok: true, detail: scopes.join(" ") }
    : { name: SCOPES_CHECK, ok: false, detail: "connection.oauth.scopes is empty: the host could not tell a grant that lacks access from one that has it" };
}

const USES_OAUTH_AUTH = /\bauth\s*:\s*\{\s*oauth\s*:/;

/**
 * auth.oauth attaches the token only to the provider's own hosts (the OAuth URL templates'
 * hosts) and to fixed hosts in permissions.http. A wildcard pattern qualifies only through a
 * per-tenant OAuth host ({settings.x} in the host); otherwise calls there fail at run time.
 */
function oauthHostsCheck(m: ConnectorManifest, dir: string): ChecklistRow {
  const users = sourceFiles(dir).filter((f) => USES_OAUTH_AUTH.test(readFileSync(f, "utf8")));
  if (!users.length) return { name: OAUTH_HOSTS_CHECK, ok: true, detail: "auth.oauth not used" };
  const oauth = m.connection.oauth;
  const tenantHost = !!oauth && [oauth.authorizationUrlTemplate, oauth.tokenUrlTemplate].some((t) => placeholdersInHost(t).length > 0);
  const unreachable = m.permissions.http.filter((pattern) => {
    const parsed = parseHttpPattern(pattern);
    return !("error" in parsed) && parsed.hostLabels.includes("*") && !tenantHost;
  });
  if (unreachable.length) {
    return {
      name: OAUTH_HOSTS_CHECK,
      ok: false,
      detail: `${relative(dir, users[0]!)} uses auth.oauth, but it never attaches to wildcard hosts (${unreachable.join(", ")}); list the API's fixed host instead, e.g. https://api.example.com/*`,
    };
  }
  return { name: OAUTH_HOSTS_CHECK, ok: true, detail: "fixed or per-tenant hosts" };
}

function routeTestsCheck(dir: string, run: RouteTestRun | undefined): ChecklistRow {
  if (run?.ran) {
    const missing = ROUTE_TEST_CASES.filter((c) => !run.tests.some((t) => routeTestCaseOf(t.title) === c));
    const failing = run.tests.filter((t) => !t.passed);
    if (missing.length)
      return { name: ROUTE_TESTS_CHECK, ok: false, detail: `no test named for: ${missing.join(", ")} (title starts with the case, e.g. it("missing token: ..."))` };
    if (failing.length)
      return {
        name: ROUTE_TESTS_CHECK,
        ok: false,
        detail: `${failing.length} test(s) fail: ${failing
          .slice(0, 3)
          .map((t) => t.title)
          .join("; ")}`,
      };
    return { name: ROUTE_TESTS_CHECK, ok: true, detail: `ran ${run.tests.length} tests, all pass` };
  }
  const named = casesNamedIn(testFiles(dir));
  const missing = ROUTE_TEST_CASES.filter((c) => !named.has(c));
  if (missing.length) return { name: ROUTE_TESTS_CHECK, ok: false, detail: `no test named for: ${missing.join(", ")} (title starts with the case, e.g. it("missing token: ..."))` };
  return { name: ROUTE_TESTS_CHECK, ok: true, detail: `named in ${[...new Set(named.values())].map((f) => relative(dir, f)).join(", ")} (not run)` };
}

function logCheck(run: RouteTestRun | undefined): ChecklistRow {
  if (!run) return { name: LOG_CHECK, ok: false, detail: "not checked: the tests were not run (drop --no-run-tests)" };
  if (!run.ran) return { name: LOG_CHECK, ok: false, detail: `not checked: ${run.reason}` };
  if (run.logFindings.length) {
    return { name: LOG_CHECK, ok: false, detail: `${run.logFindings.length} route log line(s) carried a secret or token, e.g. ${run.logFindings[0]!.redactedLine.slice(0, 120)}` };
  }
  return { name: LOG_CHECK, ok: true, detail: "none" };
}

/** The checklist rows this command adds (or replaces: the SDK's postConnect row only sees the manifest). */
export function releaseChecks(m: ConnectorManifest, dir: string, routesDir: string, run: RouteTestRun | undefined): ChecklistRow[] {
  return [postConnectCheck(m, dir, routesDir), routeTestsCheck(dir, run), logCheck(run), scopesCheck(m), oauthHostsCheck(m, dir)];
}
