// What every repository is built on: the Kysely instance or transaction it queries, and the
// clock its timestamps come from. Repositories are cheap views over one context; a Store
// bound to a transaction hands out repositories bound to it.
import type { Kysely, Transaction } from "kysely";
import type { Database } from "../schema.js";

export type StoreExecutor = Kysely<Database> | Transaction<Database>;

export type RepositoryContext = {
  readonly db: StoreExecutor;
  now(): number;
};

/** A context that can open a transaction (nested calls reuse the outer one): for repositories whose writes take several statements. */
export type TransactionalContext = RepositoryContext & {
  transaction<T>(fn: (tx: TransactionalContext) => Promise<T>): Promise<T>;
};
