// Shopify's real Admin GraphQL schema, built from the introspection JSON that
// scripts/fetch-schema.mjs places in schema/ at build time.
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { buildClientSchema, parse, validate, GraphQLError, type GraphQLSchema, type IntrospectionQuery } from "graphql";

export const ADMIN_API_VERSION = "2026-10";

// src/index.ts and dist/index.js both sit one level below the package root.
const SCHEMA_PATH = fileURLToPath(new URL(`../schema/admin_${ADMIN_API_VERSION}.json.gz`, import.meta.url));

let cachedSchema: GraphQLSchema | undefined;

/** The Admin API schema, parsed once per process. */
export function loadAdminSchema(): GraphQLSchema {
  if (cachedSchema) return cachedSchema;
  if (!existsSync(SCHEMA_PATH)) {
    throw new Error(`Shopify Admin schema missing at ${SCHEMA_PATH}; run the @backfill-io/shopify-admin-schema build (it fetches the schema)`);
  }
  const introspection = JSON.parse(gunzipSync(readFileSync(SCHEMA_PATH)).toString("utf8")) as {
    data?: IntrospectionQuery;
  } & Partial<IntrospectionQuery>;
  // The dev-mcp file wraps the result in { data }; accept a bare result too.
  const result = introspection.data ?? (introspection as IntrospectionQuery);
  cachedSchema = buildClientSchema(result, { assumeValid: false });
  return cachedSchema;
}

/** Parse and validate a GraphQL document against the Admin schema; empty means valid. */
export function validateAdminDocument(source: string): readonly GraphQLError[] {
  let document;
  try {
    document = parse(source);
  } catch (error) {
    if (error instanceof GraphQLError) return [error];
    throw error;
  }
  return validate(loadAdminSchema(), document);
}
