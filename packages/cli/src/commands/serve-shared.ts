// What serve and worker share: waiting for a shutdown signal, the auth webhook target.
import { readFileSync } from "node:fs";
import { AUTH_WEBHOOK_SECRET_ENV, type AuthWebhookConfig } from "@backfill-io/host";
import { CliError } from "../errors.js";
import { AUTH_WEBHOOK_SECRET_MISSING, INVALID_OPTION_VALUE } from "../error-codes.js";

/** Resolves with the signal's name at the first SIGINT or SIGTERM. */
export function untilShutdown(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.removeListener("SIGINT", on);
      process.removeListener("SIGTERM", on);
      resolve(signal);
    };
    process.on("SIGINT", on);
    process.on("SIGTERM", on);
  });
}

/** The auth webhook target: its signing secret from a file or the environment, never an argument value. */
export function authWebhookConfig(url: string | undefined, secretFile: string | undefined): AuthWebhookConfig | undefined {
  if (!url) return undefined;
  try {
    new URL(url);
  } catch {
    throw new CliError(INVALID_OPTION_VALUE, `--auth-webhook-url ${JSON.stringify(url)} is not a URL`, "pass an absolute http(s) URL");
  }
  const secret = (secretFile ? readFileSync(secretFile, "utf8") : (process.env[AUTH_WEBHOOK_SECRET_ENV] ?? "")).trim();
  if (!secret)
    throw new CliError(AUTH_WEBHOOK_SECRET_MISSING, "--auth-webhook-url needs a signing secret", `set ${AUTH_WEBHOOK_SECRET_ENV} or pass --auth-webhook-secret-file <path>`);
  return { url, secret };
}
