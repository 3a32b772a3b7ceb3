// Which job queue a command works on: Postgres (graphile-worker) when a database URL is
// given (--database-url, else BACKFILL_DATABASE_URL), else the in-process queue (SQLite,
// one machine). The URL is a secret (it holds the database password): never printed.
import { registerSecret } from "@backfill-io/sdk";
import { DATABASE_URL_ENV, InProcessJobQueue, PostgresJobQueue, type HostLogger, type JobQueue } from "@backfill-io/host";
import { CliError } from "./errors.js";

export { DATABASE_URL_ENV };

/** The database URL from the option or the environment, checked; undefined means SQLite. */
export function databaseUrl(option: string | undefined): string | undefined {
  const value = option ?? process.env[DATABASE_URL_ENV];
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError("the database URL is not a URL", "pass --database-url postgres://user:password@host:5432/db (or set BACKFILL_DATABASE_URL)");
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") throw new CliError(`the database URL must be postgres:// (got ${url.protocol}//…)`, "pass --database-url postgres://user:password@host:5432/db");
  if (url.password) registerSecret(decodeURIComponent(url.password));
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
    if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`--${name} ${value} is not a whole number from 1 to ${max}`, `pass e.g. --${name} ${example}`);
    return n;
  };
}

/** --concurrency: jobs one worker process runs at once, 1 to 64. */
export const concurrency = wholeNumber("concurrency", 64, 4);
