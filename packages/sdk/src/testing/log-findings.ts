// `backfill validate` runs a connector's route tests with BACKFILL_TEST_LOG_FINDINGS set to
// a file; the test runtime then reports each route log line that carried a secret or a
// token-looking string (what the redactor would have had to hide). Only the redacted line
// is written: the file never holds the secret itself.
import { appendFileSync } from "node:fs";

export const TEST_LOG_FINDINGS_ENV = "BACKFILL_TEST_LOG_FINDINGS";

export type LogFinding = { level: string; redactedLine: string };

/** Appends a finding when the raw log line and its redacted form differ and the env names a file. */
export function reportLogFinding(level: string, raw: unknown, redacted: unknown, env: NodeJS.ProcessEnv = process.env): void {
  const file = env[TEST_LOG_FINDINGS_ENV];
  if (!file) return;
  const redactedLine = JSON.stringify(redacted);
  if (JSON.stringify(raw) === redactedLine) return;
  const finding: LogFinding = { level, redactedLine };
  appendFileSync(file, JSON.stringify(finding) + "\n", { mode: 0o600 });
}
