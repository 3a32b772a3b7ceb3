// The emulator judged by Shopify's own libraries and documented rules, not by its own code:
// - @shopify/shopify-api validates its webhooks (webhooks.validate: HMAC and headers);
// - @shopify/admin-api-client drives its GraphQL API and reads extensions.cost and errors;
// - the requested cost of every connector document is recomputed by a calculator written
//   here from shopify.dev "GraphQL Admin API rate limits": scalars and enums 0, objects 1,
//   connections 2 + first × one node, interfaces and unions the maximum of their possible
//   types, mutations 10, and omitted variables at their declared defaults.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdminApiClient } from "@shopify/admin-api-client";
import { shopifyLibrary as shopify } from "./shopify-library.js";
import { loadAdminSchema } from "@backfill-io/shopify-admin-schema";
import { ALL_DOCUMENTS } from "@backfill-io/connector-shopify/documents";
import {
  Kind,
  getNamedType,
  isAbstractType,
  isLeafType,
  isListType,
  isObjectType,
  parse,
  typeFromAST,
  valueFromAST,
  isInputType,
  getNullableType,
  OperationTypeNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLNamedType,
} from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningShopifyEmulator } from "../src/shopify/index.js";
import { CLIENT_ID, start } from "./shopify-helpers.js";

let emulator: RunningShopifyEmulator;
let token: string;
beforeAll(async () => {
  emulator = await start({ throttle: { maximumAvailable: 5_000, restoreRate: 1, maxQueryCost: 1_000 } });
  token = emulator.state.issueOfflineToken("acme", CLIENT_ID);
});
afterAll(async () => {
  await emulator.close();
});

/** The real admin-api-client, its requests sent to the emulator as the shop's host. */
function adminClient(accessToken: string) {
  return createAdminApiClient({
    storeDomain: "acme.myshopify.com",
    apiVersion: "2026-10",
    accessToken,
    customFetchApi: (url: string | URL | Request, init?: RequestInit) => {
      const target = new URL(url instanceof Request ? url.url : url.toString());
      const headers = new Headers(init?.headers);
      headers.set("X-Forwarded-Host", target.host);
      return fetch(`${emulator.url}${target.pathname}`, { ...init, headers });
    },
  });
}

describe("@shopify/shopify-api webhooks.validate", () => {
  let receiver: Server;
  let url: string;
  const received: { headers: Record<string, string>; body: string }[] = [];
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])), body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const validate = (delivery: { headers: Record<string, string>; body: string }) =>
    shopify.webhooks.validate({ rawBody: delivery.body, rawRequest: new Request(url, { method: "POST", headers: delivery.headers, body: delivery.body }) });

  it("accepts the emulator's deliveries, every topic, with Shopify's headers", async () => {
    for (const topic of ["orders/updated", "customers/redact", "app/uninstalled"]) {
      await emulator.state.deliverWebhook("acme", topic, { id: 1, note: "é ✓" }, url);
      const result = await validate(received.at(-1)!);
      // The library names topics as its enum does: orders/updated is ORDERS_UPDATED.
      expect(result).toMatchObject({ valid: true, topic: topic.toUpperCase().replace("/", "_"), domain: "acme.myshopify.com", apiVersion: "2026-10" });
    }
  });

  it("refuses one signed with another secret, or with its body changed", async () => {
    await emulator.state.deliverWebhook("acme", "orders/updated", { id: 2 }, url, { signingSecretOverride: "another-secret" });
    expect(await validate(received.at(-1)!)).toMatchObject({ valid: false, reason: "invalid_hmac" });
    await emulator.state.deliverWebhook("acme", "orders/updated", { id: 3 }, url);
    const tampered = { ...received.at(-1)!, body: JSON.stringify({ id: 4 }) };
    expect(await validate(tampered)).toMatchObject({ valid: false, reason: "invalid_hmac" });
  });
});

describe("@shopify/admin-api-client against the emulator", () => {
  it("reads data and extensions.cost in Shopify's shape", async () => {
    const { data, errors, extensions } = await adminClient(token).request("query Shop { shop { id name } }");
    expect(errors).toBeUndefined();
    expect(data).toMatchObject({ shop: { id: expect.stringMatching(/^gid:\/\/shopify\/Shop\//), name: "Acme" } });
    expect(extensions).toEqual({
      cost: {
        requestedQueryCost: 1,
        actualQueryCost: 1,
        throttleStatus: { maximumAvailable: 5_000, currentlyAvailable: expect.any(Number), restoreRate: 1 },
      },
    });
  });

  it("reports a bad token as a 401 network error", async () => {
    const { errors } = await adminClient("shpat_not-a-token").request("{ shop { id } }");
    expect(errors).toMatchObject({ networkStatusCode: 401, message: expect.stringContaining("Unauthorized") });
  });

  it("reports MAX_COST_EXCEEDED and THROTTLED as GraphQL errors with their codes", async () => {
    const tooBig = await adminClient(token).request("{ orders(first: 250) { nodes { lineItems(first: 250) { nodes { id } } } } }");
    expect(tooBig.errors?.graphQLErrors?.[0]).toMatchObject({ extensions: { code: "MAX_COST_EXCEEDED", maxCost: 1_000 } });
    const client = adminClient(token);
    let throttled;
    for (let i = 0; i < 30 && !throttled; i++) {
      const answer = await client.request("{ orders(first: 100) { nodes { lineItems(first: 3) { nodes { id } } } } }");
      if (answer.errors) throttled = answer;
    }
    expect(throttled?.errors?.graphQLErrors?.[0]).toMatchObject({ message: "Throttled", extensions: { code: "THROTTLED" } });
    expect(throttled?.extensions).toMatchObject({ cost: { requestedQueryCost: 2 + 100 * (1 + 2 + 3), actualQueryCost: null } });
  });
});

// ---- the documented cost rules, written independently of src/shopify/graphql/cost.ts ----

const schema = loadAdminSchema();
const isConnectionish = (type: GraphQLNamedType) => type.name.endsWith("Connection");

type Context = { fragments: Map<string, FragmentDefinitionNode>; variables: Record<string, unknown> };

/** The fields a selection set selects on one concrete object type, through its fragments. */
function fieldsOn(set: SelectionSetNode | undefined, type: GraphQLObjectType, ctx: Context): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) out.push(s);
    else {
      const fragment = s.kind === Kind.FRAGMENT_SPREAD ? ctx.fragments.get(s.name.value) : s;
      const conditionName = fragment?.typeCondition?.name.value;
      const condition = conditionName ? schema.getType(conditionName) : type;
      const matches = condition === type || (condition !== undefined && isAbstractType(condition) && schema.isSubType(condition, type));
      if (fragment && matches) out.push(...fieldsOn(fragment.selectionSet, type, ctx));
    }
  }
  return out;
}

function pageSize(field: FieldNode, ctx: Context): number {
  const arg = field.arguments?.find((a) => a.name.value === "first" || a.name.value === "last");
  if (!arg) return 0;
  if (arg.value.kind === Kind.INT) return Number(arg.value.value);
  if (arg.value.kind === Kind.VARIABLE) return Number(ctx.variables[arg.value.name.value] ?? 0);
  return 0;
}

/** One value of a (named) type with this selection: objects 1, abstract types their most expensive member. */
function valueCost(typeName: string, set: SelectionSetNode | undefined, ctx: Context, multiplier: number): number {
  const type = schema.getType(typeName)!;
  if (isLeafType(type)) return 0;
  const members = isAbstractType(type) ? schema.getPossibleTypes(type) : isObjectType(type) ? [type] : [];
  return Math.max(0, ...members.map((member) => selectionCost(set, member, ctx, multiplier)));
}

function selectionCost(set: SelectionSetNode | undefined, type: GraphQLObjectType, ctx: Context, multiplier: number): number {
  const own = isConnectionish(type) ? 2 : type.name.endsWith("Edge") || type.name === "PageInfo" ? 0 : 1;
  let total = own;
  for (const field of fieldsOn(set, type, ctx)) {
    const def = type.getFields()[field.name.value];
    if (!def) continue;
    const named = getNamedType(def.type);
    if (isLeafType(named)) continue;
    if (isConnectionish(named)) total += valueCost(named.name, field.selectionSet, ctx, pageSize(field, ctx));
    else if (isListType(getNullableType(def.type))) total += multiplier * valueCost(named.name, field.selectionSet, ctx, 1);
    else total += valueCost(named.name, field.selectionSet, ctx, 1);
  }
  return total;
}

function documentedCost(document: string, variables: Record<string, unknown>): number {
  const ast = parse(document);
  const ctx: Context = { fragments: new Map(), variables: { ...variables } };
  for (const d of ast.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) ctx.fragments.set(d.name.value, d);
  const op = ast.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  for (const v of op.variableDefinitions ?? []) {
    const type = typeFromAST(schema, v.type);
    if (ctx.variables[v.variable.name.value] === undefined && v.defaultValue && type && isInputType(type)) {
      ctx.variables[v.variable.name.value] = valueFromAST(v.defaultValue, type);
    }
  }
  if (op.operation === OperationTypeNode.MUTATION) return 10 * op.selectionSet.selections.length;
  const root = schema.getQueryType()!;
  return fieldsOn(op.selectionSet, root, ctx).reduce((sum, field) => {
    const def = root.getFields()[field.name.value]!;
    const named = getNamedType(def.type);
    if (isLeafType(named)) return sum;
    return sum + valueCost(named.name, field.selectionSet, ctx, isConnectionish(named) ? pageSize(field, ctx) : 1);
  }, 0);
}

describe("requested cost by Shopify's documented rules", () => {
  it("the calculator itself: a connection, an interface, a default, a mutation", () => {
    expect(documentedCost("query($n: Int = 10) { orders(first: $n) { nodes { id customer { id } } } }", {})).toBe(2 + 10 * 2);
    expect(documentedCost(`{ node(id: "x") { ... on Order { lineItems(first: 5) { nodes { id } } } ... on Customer { defaultAddress { id } } } }`, {})).toBe(1 + 7);
    expect(documentedCost(`mutation { customerUpdate(input: { id: "x" }) { customer { id } } }`, {})).toBe(10);
  });

  it("matches the emulator's requestedQueryCost for every connector document, at the page sizes it sends", async () => {
    const order = emulator.state.shop("acme").orders[0]!;
    const client = adminClient(emulator.state.issueOfflineToken("acme", CLIENT_ID));
    for (const [name, document] of Object.entries(ALL_DOCUMENTS)) {
      for (const first of [1, 10]) {
        const variables = { first, after: null, query: null, id: `gid://shopify/Order/${order.id}` };
        // A fresh bucket each time: only the cost is under test here.
        emulator.state.buckets.clear();
        const documented = documentedCost(document, variables);
        const { extensions, errors } = await client.request(document, { variables });
        if (documented > 1000) {
          // Over Shopify's single-query maximum (the connector never sends it: its page planner
          // caps `first`): refused with MAX_COST_EXCEEDED naming the same cost.
          const refusal = (errors?.graphQLErrors?.[0] as { extensions?: { code?: string; cost?: number } } | undefined)?.extensions;
          expect(refusal, `${name} first=${first}`).toMatchObject({ code: "MAX_COST_EXCEEDED", cost: documented });
          continue;
        }
        // (the library types extensions as any: name the one field read)
        const cost = (extensions as { cost?: { requestedQueryCost?: number } } | undefined)?.cost;
        expect(cost?.requestedQueryCost, `${name} first=${first}`).toBe(documented);
      }
    }
  });
});
