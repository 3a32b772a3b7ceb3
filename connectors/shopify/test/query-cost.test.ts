// Requested query cost of every document, by Shopify's documented calculation (the same
// rule the local emulator applies; its cost function is not exported, so it is restated
// here): scalars and enums 0, objects 1, connections 2 + first × the cost of one node,
// Edge and PageInfo 0; plain lists (Order.refunds) cost one object. A single query may
// cost at most 1000. https://shopify.dev/docs/api/usage/limits
import { describe, expect, it } from "vitest";
import {
  Kind,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  parse,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { loadAdminSchema } from "@backfill-io/shopify-admin-schema";
import { ALL_DOCUMENTS, FOLLOW_UP_PAGE_SIZE, ORDERS_QUERY, ORDERS_REFUNDS_BATCH, ORDERS_REFUNDS_QUERY } from "../src/lib/documents.js";
import { MAX_SINGLE_QUERY_COST } from "../src/lib/page-size.js";
import { customersStream, ordersStream } from "../src/lib/streams.js";

type Walk = { schema: GraphQLSchema; fragments: Map<string, FragmentDefinitionNode>; variables: Record<string, unknown> };

const isConnection = (t: GraphQLNamedType) => t.name.endsWith("Connection");
const ownCost = (t: GraphQLNamedType) => (isConnection(t) ? 2 : t.name.endsWith("Edge") || t.name === "PageInfo" ? 0 : 1);

function cost(selectionSet: SelectionSetNode | undefined, type: GraphQLNamedType, pageSize: number | undefined, walk: Walk): number {
  let total = 0;
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = walk.fragments.get(selection.name.value)!;
      total += cost(fragment.selectionSet, walk.schema.getType(fragment.typeCondition.name.value)!, pageSize, walk);
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += cost(selection.selectionSet, selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value)! : type, pageSize, walk);
      continue;
    }
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    const def = type.getFields()[selection.name.value];
    if (!def) continue;
    const named = getNamedType(def.type);
    if (isLeafType(named)) continue;
    let size: number | undefined;
    if (isConnection(named)) {
      const arg = selection.arguments?.find((a) => a.name.value === "first" || a.name.value === "last");
      size = arg?.value.kind === Kind.INT ? Number(arg.value.value) : arg?.value.kind === Kind.VARIABLE ? (walk.variables[arg.value.name.value] as number) : 0;
    }
    const perItem = ownCost(named) + cost(selection.selectionSet, named, size, walk);
    total += isListType(getNullableType(def.type)) && pageSize !== undefined ? perItem * pageSize : perItem;
  }
  return total;
}

const schema = loadAdminSchema();

function requestedCost(document: string, variables: Record<string, unknown>): number {
  const ast = parse(document);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of ast.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const op = ast.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return cost(op.selectionSet, schema.getQueryType()!, undefined, { schema, fragments, variables });
}

const pageCost = (document: string, first: number) => requestedCost(document, { first });

describe("requested query cost", () => {
  it("the rule as documented: a connection of one object each costs 2 + first", () => {
    expect(requestedCost("query($first: Int!) { orders(first: $first) { nodes { id } } }", { first: 10 })).toBe(12);
  });

  it("six orders with their refunds fit one query; the page holds at least six orders", () => {
    expect(pageCost(ORDERS_QUERY, 6)).toBeLessThanOrEqual(MAX_SINGLE_QUERY_COST);
    const perOrder = pageCost(ORDERS_QUERY, 2) - pageCost(ORDERS_QUERY, 1);
    expect(Math.floor((MAX_SINGLE_QUERY_COST - 2) / perOrder)).toBeGreaterThanOrEqual(6);
    // The stream's first estimate is the document's real cost.
    expect(ordersStream.cost).toMatchObject({ baseCost: pageCost(ORDERS_QUERY, 0), costPerNode: perOrder });
  });

  it("a bulk slice's refund batch fits one query, even where each id costs a whole order's refunds", () => {
    // nodes(ids:) is a list (one object by the rule above); costed per id, to be safe.
    expect(requestedCost(ORDERS_REFUNDS_QUERY, { ids: ["a"] }) * ORDERS_REFUNDS_BATCH).toBeLessThanOrEqual(MAX_SINGLE_QUERY_COST);
  });

  it("the customers estimate matches its document", () => {
    const perNode = pageCost(ALL_DOCUMENTS.CUSTOMERS_QUERY!, 2) - pageCost(ALL_DOCUMENTS.CUSTOMERS_QUERY!, 1);
    expect(customersStream.cost).toMatchObject({ baseCost: pageCost(ALL_DOCUMENTS.CUSTOMERS_QUERY!, 0), costPerNode: perNode });
  });

  for (const [name, document] of Object.entries(ALL_DOCUMENTS)) {
    it(`${name} fits one query at the page size the connector sends`, () => {
      const first = document === ORDERS_QUERY ? 6 : FOLLOW_UP_PAGE_SIZE;
      expect(requestedCost(document, { first })).toBeLessThanOrEqual(MAX_SINGLE_QUERY_COST);
    });
  }
});
