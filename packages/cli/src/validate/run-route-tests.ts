// Runs a connector's tests with its own vitest (resolved from the connector's directory),
// collecting each test's outcome and the test runtime's log findings: route log lines that
// carried a secret or a token-looking string (see @backfill-io/sdk/testing's
// TEST_LOG_FINDINGS_ENV). Nothing secret is written: findings are redacted lines.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { TEST_LOG_FINDINGS_ENV, type LogFinding } from "@backfill-io/sdk/testing";

export type TestOutcome = { title: string; file: string; passed: boolean };
export type RouteTestRun = { ran: true; tests: TestOutcome[]; logFindings: LogFinding[]; exitCode: number } | { ran: false; reason: string };

type VitestJson = { testResults?: { name: string; assertionResults?: { title: string; status: string }[] }[] };

function vitestEntry(dir: string): string | undefined {
  try {
    const pkg = createRequire(join(dir, "package.json")).resolve("vitest/package.json");
    return join(dirname(pkg), "vitest.mjs");
  } catch {
    return undefined;
  }
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

export async function runRouteTests(dir: string): Promise<RouteTestRun> {
  const vitest = vitestEntry(dir);
  if (!vitest) return { ran: false, reason: `vitest is not installed for ${dir}` };
  const work = mkdtempSync(join(tmpdir(), "backfill-validate-"));
  const results = join(work, "results.json");
  const findings = join(work, "log-findings.jsonl");
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(process.execPath, [vitest, "run", "--reporter=json", `--outputFile=${results}`], {
        cwd: dir,
        env: { ...process.env, [TEST_LOG_FINDINGS_ENV]: findings, CI: "1" },
        stdio: ["ignore", "ignore", "ignore"],
      });
      child.once("error", reject);
      child.once("exit", (code) => resolve(code ?? 1));
    });
    let parsed: VitestJson;
    try {
      parsed = JSON.parse(readFileSync(results, "utf8")) as VitestJson;
    } catch {
      return { ran: false, reason: `vitest wrote no results (exit code ${exitCode}); run npx vitest run in ${dir}` };
    }
    const tests = (parsed.testResults ?? []).flatMap((file) => (file.assertionResults ?? []).map((t) => ({ title: t.title, file: file.name, passed: t.status === "passed" })));
    const logFindings = readLines(findings).map((line) => JSON.parse(line) as LogFinding);
    return { ran: true, tests, logFindings, exitCode };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
