// Shared vitest settings: resolve workspace packages to their TypeScript source
// (the "source" export condition) so tests never run against a stale dist.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// A workspace that copied this file without the repository's scripts/ (a generated connector's
// throwaway workspace) runs without it.
const tmpdirSetup = fileURLToPath(new URL("./scripts/vitest-global-setup.ts", import.meta.url));

export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // One temp folder per run, removed at the end (BACKFILL_KEEP_TEST_TMPDIR=1 keeps it).
    globalSetup: existsSync(tmpdirSetup) ? [tmpdirSetup] : [],
  },
});
