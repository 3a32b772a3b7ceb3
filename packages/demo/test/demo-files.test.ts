// The files the demo keeps in the data dir (demo.json, demo.log) are 0600 and the dir 0700,
// also when they existed before with looser modes.
import { chmodSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeDemoState } from "../src/state-file.js";
import { openDemoLog } from "../src/log-file.js";

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe("demo files in the data dir", () => {
  it("demo.json and demo.log are created 0600 in a 0700 data dir", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "backfill-demo-files-")), "data");
    const log = openDemoLog(dataDir);
    await new Promise<void>((resolve) => log.stream.end("line\n", resolve));
    writeDemoState(dataDir, { dataAnchor: new Date(0).toISOString(), runs: 1 });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(log.file)).toBe(0o600);
    expect(modeOf(join(dataDir, "demo.json"))).toBe(0o600);
  });

  it("existing looser files and dir are tightened", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "backfill-demo-files-"));
    chmodSync(dataDir, 0o755);
    for (const f of ["demo.json", "demo.log"]) writeFileSync(join(dataDir, f), "{}", { mode: 0o644 });
    const log = openDemoLog(dataDir);
    await new Promise<void>((resolve) => log.stream.end("line\n", resolve));
    writeDemoState(dataDir, { dataAnchor: new Date(0).toISOString(), runs: 2 });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, "demo.log"))).toBe(0o600);
    expect(modeOf(join(dataDir, "demo.json"))).toBe(0o600);
  });
});
