// backfill new <key>: writes connectors/<key> from the template into the workspace, then
// updates the lockfile through the pinned pnpm (scripts/pnpm.mjs), so `npm test`
// (a frozen-lockfile install) accepts the new package and turbo and CI pick it up.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError } from "../errors.js";
import { displayNameOf, renderTemplate } from "./render.js";

import { CONNECTOR_EXISTS, INVALID_CONNECTOR_KEY, INVALID_TENANT_SETTING, LOCKFILE_UPDATE_FAILED } from "../error-codes.js";

const KEY = /^[a-z][a-z0-9-]{0,40}$/;
const SETTING = /^[a-z][a-z0-9_]*$/;

export type NewConnectorOptions = { root: string; key: string; tenantSetting?: string; install: boolean; log?: (line: string) => void };

/** Writes the package and (unless install is false) updates the lockfile; returns the package dir. */
export function newConnector(opts: NewConnectorOptions): { dir: string; files: string[] } {
  if (!KEY.test(opts.key)) {
    throw new CliError(
      INVALID_CONNECTOR_KEY,
      `${JSON.stringify(opts.key)} is not a connector key`,
      "use lowercase letters, digits and -, starting with a letter: backfill new acme",
    );
  }
  if (opts.tenantSetting !== undefined && !SETTING.test(opts.tenantSetting)) {
    throw new CliError(INVALID_TENANT_SETTING, `--tenant-host ${opts.tenantSetting} is not a setting name`, "use snake_case: --tenant-host shop_domain");
  }
  const dir = join(opts.root, "connectors", opts.key);
  if (existsSync(dir)) throw new CliError(CONNECTOR_EXISTS, `${dir} already exists`, `pick another key, or remove ${dir} first`);
  const rendered = renderTemplate({ key: opts.key, name: displayNameOf(opts.key), ...(opts.tenantSetting ? { tenantSetting: opts.tenantSetting } : {}) });
  for (const [path, text] of rendered) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  if (opts.install) {
    opts.log?.("updating pnpm-lock.yaml (node scripts/pnpm.mjs install)\n");
    const result = spawnSync(process.execPath, [join(opts.root, "scripts", "pnpm.mjs"), "install"], { cwd: opts.root, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (result.status !== 0) {
      throw new CliError(
        LOCKFILE_UPDATE_FAILED,
        `pnpm install failed in ${opts.root} (exit ${result.status ?? "signal"})`,
        "run node scripts/pnpm.mjs install in the repository root and read its output",
      );
    }
  }
  return { dir, files: rendered.map(([path]) => path) };
}
