// Validates a connector directory: its manifest, and that the routes the manifest
// names (testConnection, postConnect, streams) exist as files under src/api.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { validateManifest, type ManifestValidation } from "./define.js";
import { exportedProviderPlugin } from "../providers/connector-module.js";
import { runningFromSource } from "../runtime/source-mode.js";
import { ProviderRegistry } from "../providers/registry.js";
import { routeAccess, type RouteAuth } from "./route-access.js";
import type { ManifestProblem } from "./rules.js";
import type { ConnectorManifest } from "./schema.js";
import { placeholdersInHost } from "./templates.js";

export type ConnectorDirReport = {
  dir: string;
  manifest?: ConnectorManifest;
  problems: ManifestProblem[];
  checks: { name: string; ok: boolean; detail?: string }[];
  /** Route files whose config asks for public or webhook access, and whether the manifest's `routes` declares them. */
  anonymousRoutes?: AnonymousRouteEntry[];
};

export type AnonymousRouteEntry = { route: string; auth: Exclude<RouteAuth, "api_key">; declared: boolean };

export const ROUTE_EXTENSIONS = [".ts", ".js", ".mts", ".mjs"] as const;

/** Finds the file for a route path like /setup/test_connection under a routes directory. */
export function routeFile(routesDir: string, route: string): string | null {
  for (const ext of ROUTE_EXTENSIONS) {
    const file = join(routesDir, ...route.split("/").filter(Boolean)) + ext;
    if (existsSync(file)) return file;
  }
  return null;
}

export function manifestRoutes(m: ConnectorManifest): { path: string; route: string }[] {
  const routes: { path: string; route: string }[] = [];
  if (m.connection.testConnection) routes.push({ path: "connection.testConnection.route", route: m.connection.testConnection.route });
  if (m.connection.oauth?.postConnect) routes.push({ path: "connection.oauth.postConnect.route", route: m.connection.oauth.postConnect.route });
  m.streams.forEach((s, i) => routes.push({ path: `streams.${i}.route`, route: s.route }));
  m.routes.public.forEach((route, i) => routes.push({ path: `routes.public.${i}`, route }));
  m.routes.webhooks.forEach((route, i) => routes.push({ path: `routes.webhooks.${i}`, route }));
  return routes;
}

export function checkRoutesExist(m: ConnectorManifest, routesDir: string): ManifestProblem[] {
  return manifestRoutes(m)
    .filter(({ route }) => !routeFile(routesDir, route))
    .map(({ path, route }) => ({ path, rule: "route_exists", message: `no route file for ${route} under ${routesDir}` }));
}

/**
 * Loads `backfill.config.ts` (or `.js`) from `dir` and validates it. Loading a .ts
 * manifest needs a TypeScript-aware loader (vitest, tsx); built packages use dist.
 */
export async function validateConnectorDir(dir: string): Promise<ConnectorDirReport> {
  const root = resolve(dir);
  const report: ConnectorDirReport = { dir: root, problems: [], checks: [] };
  // Plain node cannot import .ts: prefer the built manifest there, the source under a TS loader.
  const names = runningFromSource()
    ? ["backfill.config.ts", "backfill.config.js", "dist/backfill.config.js"]
    : ["dist/backfill.config.js", "backfill.config.js", "backfill.config.ts"];
  const candidates = names.map((f) => join(root, f));
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    report.problems.push({ path: "", rule: "manifest_exists", message: `no backfill.config.ts in ${root}` });
    return report;
  }
  let raw: unknown;
  let providers: ProviderRegistry;
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    raw = mod.default;
    const plugin = exportedProviderPlugin(mod);
    providers = new ProviderRegistry(plugin ? [plugin] : []);
  } catch (error) {
    const problems = (error as { problems?: ManifestProblem[] }).problems;
    if (problems) {
      report.problems.push(...problems);
      return report;
    }
    report.problems.push({ path: "", rule: "manifest_loads", message: `could not load ${file}: ${(error as Error).message}` });
    return report;
  }
  const result: ManifestValidation = validateManifest(raw, { providers });
  if (!result.ok) {
    report.problems.push(...result.problems);
    return report;
  }
  report.manifest = result.manifest;
  const routesDir = file.startsWith(join(root, "dist")) ? join(root, "dist", "src", "api") : join(root, "src", "api");
  report.problems.push(...checkRoutesExist(result.manifest, routesDir));
  const anonymous = await anonymousRoutes(result.manifest, routesDir);
  report.anonymousRoutes = anonymous.entries;
  report.problems.push(...anonymous.problems);
  report.checks.push(...releaseChecklist(result.manifest, root));
  return report;
}

/** Route paths of every route file under a routes directory (`/webhooks/orders` for webhooks/orders.ts); .d.ts files are not routes. */
export function listRouteFiles(routesDir: string): { route: string; file: string }[] {
  if (!existsSync(routesDir)) return [];
  const files = readdirSync(routesDir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !/\.d\.m?ts$/.test(e.name) && ROUTE_EXTENSIONS.some((ext) => e.name.endsWith(ext)))
    .map((e) => join(e.parentPath, e.name));
  return files.map((file) => ({
    file,
    route:
      "/" +
      relative(routesDir, file)
        .replace(/\.[^.]+$/, "")
        .split(sep)
        .join("/"),
  }));
}

/**
 * Loads every route module for its `config.auth` (its top-level code runs, as in the host's
 * describe) and lists the anonymous ones; one the manifest does not declare is a problem:
 * the host would make it require the API key.
 */
async function anonymousRoutes(m: ConnectorManifest, routesDir: string): Promise<{ entries: AnonymousRouteEntry[]; problems: ManifestProblem[] }> {
  const entries: AnonymousRouteEntry[] = [];
  const problems: ManifestProblem[] = [];
  for (const { route, file } of listRouteFiles(routesDir)) {
    let configAuth: unknown;
    try {
      const mod = (await import(pathToFileURL(file).href)) as { config?: { auth?: unknown } };
      configAuth = mod.config?.auth;
    } catch (error) {
      problems.push({ path: "routes", rule: "route_loads", message: `could not load route ${route}: ${(error as Error).message}` });
      continue;
    }
    const access = routeAccess(m, route, configAuth);
    if (access.requested === "api_key") continue;
    entries.push({ route, auth: access.requested, declared: !access.undeclared });
    if (access.undeclared) {
      const field = access.requested === "public" ? "routes.public" : "routes.webhooks";
      problems.push({
        path: field,
        rule: "route_auth_declared",
        message: `route ${route} exports config.auth "${access.requested}" but ${field} does not list it (the host would require the API key)`,
      });
    }
  }
  return { entries, problems };
}

function dynamicHostsCheck(m: ConnectorManifest): { name: string; ok: boolean; detail?: string } {
  const oauth = m.connection.oauth;
  const inHosts = oauth ? [...new Set([oauth.authorizationUrlTemplate, oauth.tokenUrlTemplate].flatMap(placeholdersInHost))] : [];
  const unguarded = inHosts.filter((name) => !oauth?.hostValidation[name]);
  return {
    name: "dynamic URL hosts have hostValidation",
    ok: unguarded.length === 0,
    detail: inHosts.length ? (unguarded.length ? `unguarded: ${unguarded.join(", ")}` : inHosts.map((n) => `{settings.${n}}`).join(", ")) : "fixed hosts",
  };
}

/** The guide's release checklist, as far as files and the manifest can show it. */
export function releaseChecklist(m: ConnectorManifest, root: string): { name: string; ok: boolean; detail?: string }[] {
  const oauth = m.connection.oauth;
  const pkg = existsSync(join(root, "package.json")) ? (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: string }) : {};
  return [
    { name: "manifest validates with connection.oauth", ok: !!oauth, ...(oauth ? {} : { detail: "no connection.oauth" }) },
    { name: "required settings declared before OAuth start", ok: !oauth || oauth.requiredSettings.every((s) => s in m.connection.settingsSchema.properties) },
    dynamicHostsCheck(m),
    { name: "client.credentialKey set", ok: !!oauth?.client.credentialKey, ...(oauth ? { detail: oauth.client.credentialKey } : {}) },
    {
      name: "postConnect verifies provider account identity",
      ok: !!oauth?.postConnect,
      ...(oauth?.postConnect ? { detail: oauth.postConnect.route } : { detail: "no postConnect route" }),
    },
    { name: "package version matches manifest version", ok: !pkg.version || pkg.version === m.version, detail: `${pkg.version ?? "-"} / ${m.version}` },
  ];
}
