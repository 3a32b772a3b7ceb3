#!/usr/bin/env node
// Part of a connector's check:pack: the packed connector installs in an empty project next
// to the packed sdk and oauth-helpers (npm, file: tarballs), its built manifest validates
// with the packed sdk, and its built postConnect route answers the guide's missing-token
// and missing-scope cases under the packed @backfill-io/sdk/testing: what a user installing
// the published packages gets, with no workspace behind it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "backfill-packed-"));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" } });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}`);
    rmSync(work, { recursive: true, force: true });
    console.error(`check:pack: ${[command, ...args].join(" ")} failed in ${cwd}`);
    process.exit(result.status ?? 1);
  }
  return result.stdout;
}

function pack(dir) {
  const before = new Set(readdirSync(work));
  run(process.execPath, [join(root, "scripts", "pnpm.mjs"), "pack", "--pack-destination", work], dir);
  return join(work, readdirSync(work).find((f) => f.endsWith(".tgz") && !before.has(f)));
}

const connectorPkg = JSON.parse(readFileSync("package.json", "utf8"));
const tarballs = {
  "@backfill-io/sdk": pack(join(root, "packages", "sdk")),
  "@backfill-io/oauth-helpers": pack(join(root, "packages", "oauth-helpers")),
  [connectorPkg.name]: pack(process.cwd()),
};
const project = join(work, "project");
run(process.execPath, ["-e", `require("node:fs").mkdirSync(${JSON.stringify(project)})`], work);
writeFileSync(
  join(project, "package.json"),
  JSON.stringify({
    name: "packed-connector-check",
    private: true,
    type: "module",
    dependencies: Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])),
    // The connector's own ^ ranges on the sdk and helpers resolve to the packed tarballs too.
    overrides: { "@backfill-io/sdk": `file:${tarballs["@backfill-io/sdk"]}`, "@backfill-io/oauth-helpers": `file:${tarballs["@backfill-io/oauth-helpers"]}` },
  }),
);
writeFileSync(
  join(project, "packed.test.mjs"),
  `import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";
import { validateConnectorDir, routeFile } from "@backfill-io/sdk";
import { connectorTestRuntime } from "@backfill-io/sdk/testing";

const dir = dirname(createRequire(import.meta.url).resolve(${JSON.stringify(`${connectorPkg.name}/package.json`)}));
const connectorModule = await import(${JSON.stringify(connectorPkg.name)});
const manifest = connectorModule.default;
// The provider plug-in the package exports beside its manifest, registered as the host does.
const providers = connectorModule.providerPlugin ? [connectorModule.providerPlugin] : [];
const route = routeFile(join(dir, "dist", "src", "api"), manifest.connection.oauth.postConnect.route);
const { POST } = await import(pathToFileURL(route).href);
const scopes = manifest.connection.oauth.scopes;
// Settings as a merchant would give them: defaults apply; a required one takes its placeholder or first choice.
const properties = manifest.connection.settingsSchema.properties;
const settings = Object.fromEntries(
  [...new Set([...manifest.connection.settingsSchema.required, ...manifest.connection.oauth.requiredSettings])]
    .filter((name) => properties[name]?.default === undefined)
    .map((name) => [name, properties[name]["x-placeholder"] ?? properties[name].enum?.[0]]),
);

test("the built manifest validates with the packed sdk", async () => {
  const report = await validateConnectorDir(dir);
  assert.deepEqual(report.problems, []);
});

test("missing token: 401 reauth_required (missing_token)", async () => {
  const runtime = connectorTestRuntime({ manifest, providers, settings, oauth: { accessToken: null, scopes, requiredScopes: scopes } });
  const response = await runtime.call(POST);
  runtime.restore();
  assert.equal(response.status, 401);
  assert.equal((await response.json()).error.details.reason, "missing_token");
});

test("missing scope: 401 reauth_required (missing_scopes)", async () => {
  const runtime = connectorTestRuntime({ manifest, providers, settings, oauth: { accessToken: "packed-check-token", scopes: [], requiredScopes: scopes } });
  const response = await runtime.call(POST);
  runtime.restore();
  assert.equal(response.status, 401);
  assert.equal((await response.json()).error.details.reason, "missing_scopes");
});
`,
);
run(npm, ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefer-offline", "--loglevel=error"], project);
run(process.execPath, ["--test", "packed.test.mjs"], project);
rmSync(work, { recursive: true, force: true });
console.log(`check:pack: ${connectorPkg.name} installs next to the packed sdk and its packed-route tests pass`);
