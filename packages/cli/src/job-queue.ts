// Which job queue a command works on: Postgres (graphile-worker) when a database URL is
// given (--database-url, else BACKFILL_DATABASE_URL), else the in-process queue (SQLite,
// one machine). The URL is a secret (it holds the database password): never printed.
import { registerSecret } from "@backfill-io/sdk";
import { DATABASE_URL_ENV, InProcessJobQueue, PostgresJobQueue, resolveDatabaseUrl, type HostLogger, type JobQueue } from "@backfill-io/host";
import { CliError } from "./errors.js";
import { INVALID_OPTION_VALUE } from "./error-codes.js";

export { DATABASE_URL_ENV };

/**
 * The database URL from the option or the environment, checked by the host's one check
 * (a DatabaseError database_url_invalid, formatted by the CLI); undefined means SQLite.
 */
export function databaseUrl(option: string | undefined): string | undefined {
  const value = resolveDatabaseUrl({ databaseUrl: option });
  if (!value) return undefined;
  const password = new URL(value).password;
  if (password) registerSecret(decodeURIComponent(password));
  registerSecret(value);
  return value;
}

export function openJobQueue(url: string | undefined, logger: HostLogger): JobQueue {
  return url ? new PostgresJobQueue({ databaseUrl: url, logger }) : new InProcessJobQueue();
}

/** A `--<name> <n>` option's parser: a whole number from 1 to `max`; `example` is the fix line's. */
export function wholeNumber(name: string, max: number, example = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new CliError(INVALID_OPTION_VALUE, `--${name} ${value} is not a whole number from 1 to ${max}`, `pass e.g. --${name} ${example}`);
    return n;
  };
}

/** --concurrency: jobs one worker process runs at once, 1 to 64. */
export const concurrency = wholeNumber("concurrency", 64, 4);
