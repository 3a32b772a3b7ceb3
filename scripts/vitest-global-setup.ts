// Every test run gets its own temporary folder, removed when the run ends: the suites create
// data dirs, files and browser profiles under os.tmpdir(), and this keeps a developer's /tmp
// from filling with thousands of them. Test processes inherit TMPDIR from here.
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The machine's own temp folder, for what must outlive one run (test-postgres's binaries copy). */
export const SYSTEM_TMPDIR_ENV = "BACKFILL_SYSTEM_TMPDIR";

export default function setup(): () => void {
  const system = process.env[SYSTEM_TMPDIR_ENV] ?? tmpdir();
  const runDir = mkdtempSync(join(system, "backfill-tests-"));
  chmodSync(runDir, 0o755); // the embedded Postgres runs as another user when we are root
  const previous = process.env.TMPDIR;
  process.env[SYSTEM_TMPDIR_ENV] = system;
  process.env.TMPDIR = runDir;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    if (!process.env.BACKFILL_KEEP_TEST_TMPDIR) rmSync(runDir, { recursive: true, force: true });
  };
}
