#!/usr/bin/env node
// Fetches Shopify's Admin GraphQL introspection (2026-10) out of the published
// @shopify/dev-mcp tarball without making that heavy package a dependency.
// The tarball is cached under .cache/ and the extracted file is pinned by sha256,
// so a rebuild is offline once the cache exists, and a changed upstream file fails loudly.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_SPEC = "@shopify/dev-mcp@1.16.0";
const TARBALL_NAME = "shopify-dev-mcp-1.16.0.tgz";
const MEMBER = "package/dist/data/admin_2026-10.json.gz";
const EXPECTED_SHA256 = "f3b522f264556925eada700e795e4a002a9cba83444ebcc6c0d724254a0c6593";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const cacheDir = join(packageDir, ".cache");
const schemaDir = join(packageDir, "schema");
const target = join(schemaDir, "admin_2026-10.json.gz");

function sha256(path) {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function log(message) {
  process.stderr.write(`[fetch-schema] ${message}\n`);
}

if (existsSync(target) && sha256(target) === EXPECTED_SHA256) {
  log(`schema/admin_2026-10.json.gz present and verified; skipping`);
  process.exit(0);
}

mkdirSync(cacheDir, { recursive: true });
const tarball = join(cacheDir, TARBALL_NAME);
if (!existsSync(tarball)) {
  const downloadDir = mkdtempSync(join(tmpdir(), "shopify-dev-mcp-"));
  try {
    log(`npm pack ${PACKAGE_SPEC}`);
    execFileSync("npm", ["pack", PACKAGE_SPEC, "--pack-destination", downloadDir, "--ignore-scripts", "--silent"], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const packed = readdirSync(downloadDir).find((name) => name.endsWith(".tgz"));
    if (!packed) throw new Error(`npm pack ${PACKAGE_SPEC} produced no tarball`);
    copyFileSync(join(downloadDir, packed), tarball);
  } finally {
    rmSync(downloadDir, { recursive: true, force: true });
  }
}

const extractDir = mkdtempSync(join(tmpdir(), "shopify-admin-schema-"));
try {
  execFileSync("tar", ["-xzf", tarball, "-C", extractDir, MEMBER], { stdio: ["ignore", "ignore", "inherit"] });
  const extracted = join(extractDir, MEMBER);
  const actual = sha256(extracted);
  if (actual !== EXPECTED_SHA256) {
    // A corrupt cache would fail forever; drop it so the next run downloads again.
    rmSync(tarball, { force: true });
    throw new Error(`${MEMBER} sha256 mismatch: expected ${EXPECTED_SHA256}, got ${actual}`);
  }
  mkdirSync(schemaDir, { recursive: true });
  const staging = `${target}.${process.pid}.tmp`;
  copyFileSync(extracted, staging);
  renameSync(staging, target);
  log(`wrote schema/admin_2026-10.json.gz (sha256 ${actual})`);
} finally {
  rmSync(extractDir, { recursive: true, force: true });
}
