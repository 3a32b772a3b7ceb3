// The CLI prints any error as one `error:` line and, when something fixes it, one `fix:` line,
// built from the error's fields (message, code, fix, details): no string matching. Host errors
// name no CLI command; the CLI maps their codes to its commands.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BackfillError, CLIENT_CREDENTIAL_REJECTED } from "@backfill-io/sdk";
import { BROWSER_MISMATCH, DATABASE_SCHEMA_BEHIND, MISSING_SCOPES } from "@backfill-io/host";
import { CliError, describeError } from "../src/errors.js";
import { CLI_ERROR_CODES, INVALID_OPTION_VALUE } from "../src/error-codes.js";
import { inProcessCli } from "./in-process-cli.js";

const PASSWORD = "canary-db-password-7f3e";

function printed(error: unknown): string[] {
  const { message, fix } = describeError(error);
  return [`error: ${message}`, ...(fix ? [`fix: ${fix}`] : [])];
}

describe("CLI error output", () => {
  it.each([
    [
      "a host database error: the CLI's migrate command for the code",
      new BackfillError(DATABASE_SCHEMA_BEHIND, "the database db is behind this backfill host; nothing was written", undefined, {
        fix: "migrate the database once (from one machine), then start the hosts again",
      }),
      [
        "error: the database db is behind this backfill host; nothing was written (database_schema_behind)",
        "fix: run `backfill db migrate --database-url <url>` once (from one machine), then start the hosts again",
      ],
    ],
    [
      "a refused app credential from the token manager: the credentials command",
      new BackfillError(
        CLIENT_CREDENTIAL_REJECTED,
        "cannot refresh connection c1: the provider refused the OAuth app credential acme_app",
        { credentialKey: "acme_app" },
        { fix: "set the OAuth app credential acme_app" },
      ),
      [
        "error: cannot refresh connection c1: the provider refused the OAuth app credential acme_app (client_credential_rejected)",
        "fix: backfill credentials set acme_app --client-id <id>",
      ],
    ],
    [
      "missing scopes: the host's fix, then the reconnect command",
      new BackfillError(
        MISSING_SCOPES,
        "the provider granted fewer scopes than acme needs",
        { connectionId: "c1", connectorKey: "acme" },
        { fix: "reconnect connection c1 and approve them" },
      ),
      [
        "error: the provider granted fewer scopes than acme needs (missing_scopes)",
        "fix: reconnect connection c1 and approve them; reconnect with: backfill connect acme --connection c1",
      ],
    ],
    [
      "an error of a code the CLI does not map: its own fix",
      new BackfillError(BROWSER_MISMATCH, "the callback arrived in another browser", undefined, { fix: "finish in the same browser" }),
      ["error: the callback arrived in another browser (browser_mismatch)", "fix: finish in the same browser"],
    ],
    [
      "a CLI error: its fix, no code",
      new CliError(INVALID_OPTION_VALUE, "--status lost is not a delivery status", "pass one of pending, delivered"),
      ["error: --status lost is not a delivery status", "fix: pass one of pending, delivered"],
    ],
    ["an error without a fix: one line, its first", new Error("first line\nsecond line"), ["error: first line"]],
  ])("%s", (_what, error, lines) => {
    expect(printed(error)).toEqual(lines);
  });

  it("the database URL is checked once, by the host: one line and the fix, no password", async () => {
    const { cli } = inProcessCli(mkdtempSync(join(tmpdir(), "backfill-cli-errors-")));
    const run = await cli(["--database-url", `mysql://root:${PASSWORD}@127.0.0.1/db`, "worker"]);
    expect(run.code).toBe(1);
    const lines = run.err.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: the database URL .* is not a PostgreSQL URL \(database_url_invalid\)$/);
    expect(lines[1]).toMatch(/^fix: pass --database-url postgres:\/\//);
    expect(run.err + run.out).not.toContain(PASSWORD);
  });

  it("every error the CLI throws is a BackfillError with a code (no class of its own extends Error)", () => {
    const src = new URL("../src/", import.meta.url).pathname;
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    const extendingError = files.flatMap((f) => [...readFileSync(join(src, f), "utf8").matchAll(/\bclass (\w+) extends Error\b/g)].map((m) => `${f}: ${m[1]}`));
    expect(extendingError).toEqual([]);
    const error = new CliError(INVALID_OPTION_VALUE, "--status lost is not a delivery status", "pass one of pending, delivered");
    expect(error).toBeInstanceOf(BackfillError);
    expect(error).toMatchObject({ code: INVALID_OPTION_VALUE, fix: "pass one of pending, delivered" });
  });

  it("every CLI error code has a throw site", () => {
    const src = new URL("../src/", import.meta.url).pathname;
    const files = readdirSync(src, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && f !== "error-codes.ts");
    const text = files.map((f) => readFileSync(join(src, f), "utf8")).join("\n");
    for (const code of CLI_ERROR_CODES) expect(text, code).toMatch(new RegExp(`new \\w+Error\\(\\s*${code.toUpperCase()}\\b`));
  });
});
