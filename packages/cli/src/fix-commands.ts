// The CLI's own fix line for a host or SDK error, by its code: the host says what fixes it in
// words that fit any client (the API, the dashboard), the CLI names its command. A code not
// listed here keeps the error's own `fix`.
import {
  API_KEY_ALREADY_REVOKED,
  API_KEY_NOT_FOUND,
  CLIENT_CREDENTIAL_REJECTED,
  CONNECTION_NOT_FOUND,
  DATABASE_LOCKED,
  DATABASE_SCHEMA_BEHIND,
  DATABASE_URL_INVALID,
  INVALID_SETTINGS,
  MASTER_KEY_UNCHANGED,
  MISSING_CLIENT_CREDENTIAL,
  MISSING_SCOPES,
  PROVIDER_ACCOUNT_MISMATCH,
  RETURN_URL_NOT_ALLOWED,
  STATE_EXPIRED,
  STATE_REPLAYED,
  UNKNOWN_STATE,
} from "@backfill-io/host";

type Hint = { fix: string | undefined; details: Record<string, unknown> };
type CliFix = (hint: Hint) => string | undefined;

const text = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

function setCredential({ details }: Hint): string | undefined {
  const key = text(details.credentialKey);
  return key && `backfill credentials set ${key} --client-id <id>`;
}

const START_AGAIN: CliFix = () => "start again with backfill connect";

const CLI_FIXES: Record<string, CliFix> = {
  [DATABASE_SCHEMA_BEHIND]: () => "run `backfill db migrate --database-url <url>` once (from one machine), then start the hosts again",
  [DATABASE_URL_INVALID]: () => "pass --database-url postgres://user:password@host:5432/database (or set BACKFILL_DATABASE_URL), or unset it to use SQLite in the data dir",
  [DATABASE_LOCKED]: () => "wait for the other backfill command to finish, or stop the process holding it",
  [MISSING_CLIENT_CREDENTIAL]: setCredential,
  [CLIENT_CREDENTIAL_REJECTED]: setCredential,
  [UNKNOWN_STATE]: START_AGAIN,
  [STATE_REPLAYED]: START_AGAIN,
  [STATE_EXPIRED]: START_AGAIN,
  [CONNECTION_NOT_FOUND]: () => "see the ids with backfill connections list",
  [INVALID_SETTINGS]: () => "pass them with --setting name=value",
  [RETURN_URL_NOT_ALLOWED]: () => "add the origin to the host's return URL allowlist (serve --return-url-origin)",
  [API_KEY_NOT_FOUND]: () => "list the keys with: backfill keys list",
  [API_KEY_ALREADY_REVOKED]: () => "nothing to do; create a new key with: backfill keys create --name <name>",
  [MASTER_KEY_UNCHANGED]: () => "generate a new one (backfill keys rotate --generate, or openssl rand -base64 32)",
  [PROVIDER_ACCOUNT_MISMATCH]: ({ details }) => {
    const connector = text(details.connectorKey);
    const connection = text(details.connectionId);
    return connector && connection
      ? `reconnect with --force to replace it (backfill connect ${connector} --connection ${connection} --force), or create a new connection`
      : undefined;
  },
  [MISSING_SCOPES]: ({ fix, details }) => {
    const connector = text(details.connectorKey);
    const connection = text(details.connectionId);
    return fix && connector && connection ? `${fix}; reconnect with: backfill connect ${connector} --connection ${connection}` : undefined;
  },
};

/** The CLI command line that fixes an error of this code, or undefined (then the error's own fix). */
export function cliFix(code: unknown, hint: Hint): string | undefined {
  return typeof code === "string" && Object.hasOwn(CLI_FIXES, code) ? CLI_FIXES[code]!(hint) : undefined;
}
