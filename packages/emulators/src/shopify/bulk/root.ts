// The Admin fields of bulk query operations: bulkOperationRunQuery, bulkOperationCancel,
// bulkOperation(id:) and currentBulkOperation, for the requesting app in its shop.
import type { GraphQLSchema } from "graphql";
import type { GraphQLContext } from "../graphql/resolvers.js";
import type { BulkOperations } from "./operations.js";
import { checkBulkQuery } from "./validate.js";

type Obj = Record<string, unknown>;

export function bulkRootFields(schema: GraphQLSchema, bulk: BulkOperations, queryRoot: Obj): Obj {
  return {
    bulkOperationRunQuery: (args: { query: string; groupObjects?: boolean }, ctx: GraphQLContext) => {
      const check = checkBulkQuery(schema, args.query);
      if (!check.ok) return { bulkOperation: null, userErrors: check.userErrors };
      const { operation, userErrors } = bulk.create(schema, check.document, args.query, queryRoot, ctx);
      return { bulkOperation: operation, userErrors };
    },
    bulkOperationCancel: (args: { id: string }, ctx: GraphQLContext) => {
      const op = bulk.get(args.id, ctx.shop.handle, ctx.token.clientId);
      if (!op) return { bulkOperation: null, userErrors: [{ field: ["id"], message: "Bulk operation does not exist", code: "INVALID" }] };
      const userErrors = bulk.cancel(op);
      return { bulkOperation: bulk.view(op), userErrors };
    },
    bulkOperation: (args: { id: string }, ctx: GraphQLContext) => {
      const op = bulk.get(args.id, ctx.shop.handle, ctx.token.clientId);
      return op ? bulk.view(op) : null;
    },
    currentBulkOperation: (args: { type?: string }, ctx: GraphQLContext) => {
      if (args.type === "MUTATION") return null;
      const op = bulk.current(ctx.shop.handle, ctx.token.clientId);
      return op ? bulk.view(op) : null;
    },
  };
}
