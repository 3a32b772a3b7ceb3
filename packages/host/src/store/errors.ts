// The errors of opening a database, by stable code, each with the line that fixes it (the
// CLI prints it on its own `fix:` line). The data dir's own errors are in data-dir.ts.
export const DATABASE_URL_INVALID = "database_url_invalid";
export const DATABASE_UNREACHABLE = "database_unreachable";
/** The database has migrations to apply and this host must not apply them (PostgreSQL without `migrate`). */
export const DATABASE_SCHEMA_BEHIND = "database_schema_behind";
/** A newer host migrated the database: this one refuses it and writes nothing. */
export const DATABASE_SCHEMA_AHEAD = "database_schema_ahead";

/** A migration failed while the database was migrated (it was rolled back); `details.migration` names it. */
export const MIGRATION_FAILED = "migration_failed";

export type DatabaseErrorCode = typeof DATABASE_URL_INVALID | typeof DATABASE_UNREACHABLE | typeof DATABASE_SCHEMA_BEHIND | typeof DATABASE_SCHEMA_AHEAD;
