// POST /admin/api/:version/graphql.json: authentication, parsing, validation against the real
// schema, cost and throttling, then execution over the seeded shop.
import { loadAdminSchema } from "@backfill-io/shopify-admin-schema";
import { GraphQLError, parse, validate, type DocumentNode } from "graphql";
import type { Hono } from "hono";
import type { ShopifyEnv } from "../host.js";
import type { ShopifyEmulatorState } from "../state.js";
import { actualQueryCost, requestedQueryCost } from "./cost.js";
import { executeAdmin } from "./execute.js";
import { rootValue } from "./resolvers.js";
import { LeakyBucket } from "./throttle.js";
import { apiVersionMiddleware } from "./versions.js";
import { applyFault } from "../faults.js";
import { bulkRootFields } from "../bulk/root.js";

const INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)";

interface GraphQLRequestBody {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

export function registerGraphQLRoute(app: Hono<ShopifyEnv>, state: ShopifyEmulatorState): void {
  app.use("/admin/api/:version/*", apiVersionMiddleware(state.apiVersions));
  app.post("/admin/api/:version/graphql.json", async (c) => {
    const shop = c.get("shop");
    const tokenValue = c.req.header("x-shopify-access-token");
    const fault = await applyFault(state, "graphql", { accessToken: tokenValue, shop: shop.handle });
    if (fault) return fault;

    const token = tokenValue ? state.activeToken(tokenValue, shop.handle) : undefined;
    if (!token) return c.json({ errors: INVALID_TOKEN }, 401);

    let body: GraphQLRequestBody;
    try {
      body = await c.req.json<GraphQLRequestBody>();
    } catch {
      return c.json({ errors: { query: "Required parameter missing or invalid" } }, 400);
    }
    if (!body || typeof body.query !== "string") {
      return c.json({ errors: { query: "Required parameter missing or invalid" } }, 400);
    }
    const variables = body.variables && typeof body.variables === "object" && !Array.isArray(body.variables) ? (body.variables as Record<string, unknown>) : undefined;
    const operationName = typeof body.operationName === "string" ? body.operationName : undefined;

    const schema = loadAdminSchema();
    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (error) {
      if (error instanceof GraphQLError) return c.json({ errors: [error.toJSON()] });
      throw error;
    }
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0) return c.json({ errors: validationErrors.map((e) => e.toJSON()) });

    const bucket = new LeakyBucket(state, `${shop.handle}:${token.clientId}`);
    const requestedCost = requestedQueryCost(schema, document, variables, operationName);
    if (requestedCost > state.maxQueryCost) {
      return c.json({
        errors: [
          {
            message: `Query cost is ${requestedCost}, which exceeds the single query max cost limit (${state.maxQueryCost}).\n\nSee https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\ncost of a query is calculated.\n\nTo query larger amounts of data with fewer limits, bulk operations should be used instead.\nSee https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n`,
            extensions: { code: "MAX_COST_EXCEEDED", cost: requestedCost, maxCost: state.maxQueryCost },
          },
        ],
      });
    }
    if (!bucket.take(requestedCost)) {
      return c.json({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
        extensions: { cost: { requestedQueryCost: requestedCost, actualQueryCost: null, throttleStatus: bucket.status() } },
      });
    }
    const queryRoot = rootValue(shop);
    const root = { ...queryRoot, ...bulkRootFields(schema, state.bulk, queryRoot) };
    const result = executeAdmin(schema, document, root, { shop, token, now: state.now() }, variables, operationName);
    const actualCost = Math.min(requestedCost, actualQueryCost(schema, document, variables, operationName, result.data));
    bucket.refund(requestedCost - actualCost);
    state.pointsSpent.set(shop.handle, (state.pointsSpent.get(shop.handle) ?? 0) + actualCost);
    return c.json({
      ...(result.errors ? { errors: result.errors.map((e) => e.toJSON()) } : {}),
      data: result.data ?? null,
      extensions: {
        cost: { requestedQueryCost: requestedCost, actualQueryCost: actualCost, throttleStatus: bucket.status() },
      },
    });
  });
}
