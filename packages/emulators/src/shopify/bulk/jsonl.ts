// A bulk query's result as Shopify writes it: JSONL, one object per line, every node of
// every connection on its own line; a nested connection's nodes follow their parent with
// `__parentId` (the parent's id) and without the connection field in the parent's line.
// The emulator runs the query through the ordinary Admin executor (same resolvers, same
// search syntax), paging the top-level connection and reading nested ones whole.
import { Kind, TypeInfo, parse, visit, visitWithTypeInfo, type ArgumentNode, type DocumentNode, type FieldNode, type GraphQLSchema } from "graphql";
import { executeAdmin } from "../graphql/execute.js";
import { MAX_PAGE_SIZE } from "../graphql/connection.js";
import type { GraphQLContext } from "../graphql/resolvers.js";
import { isConnectionType } from "./validate.js";

/** The key the emulator adds to each connection to page it; never written to the file. */
const PAGE_INFO_KEY = "__bulkPageInfo";
const PAGE_INFO_SELECTION = (parse(`{ ${PAGE_INFO_KEY}: pageInfo { hasNextPage endCursor } }`).definitions[0] as unknown as { selectionSet: { selections: FieldNode[] } })
  .selectionSet.selections[0]!;

type Obj = Record<string, unknown>;
type PageInfo = { hasNextPage: boolean; endCursor: string | null };

const argument = (name: string, value: ArgumentNode["value"]): ArgumentNode => ({ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: name }, value });

/** The document with page arguments on every connection (and `after` on the top one). */
function pagedDocument(schema: GraphQLSchema, document: DocumentNode, after: string | null): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const type = typeInfo.getType();
          if (!type || !isConnectionType(type) || !node.selectionSet) return undefined;
          const top = typeInfo.getParentType() === schema.getQueryType();
          const args = [...(node.arguments ?? []), argument("first", { kind: Kind.INT, value: String(MAX_PAGE_SIZE) })];
          if (top && after) args.push(argument("after", { kind: Kind.STRING, value: after }));
          return { ...node, arguments: args, selectionSet: { ...node.selectionSet, selections: [...node.selectionSet.selections, PAGE_INFO_SELECTION] } };
        },
      },
    }),
  );
}

function nodesOf(connection: Obj): Obj[] {
  if (Array.isArray(connection.nodes)) return connection.nodes as Obj[];
  if (Array.isArray(connection.edges)) return (connection.edges as { node?: Obj }[]).map((e) => e.node).filter((n): n is Obj => !!n);
  return [];
}

const isConnection = (value: unknown): value is Obj => !!value && typeof value === "object" && PAGE_INFO_KEY in value;

/** The node's own line (connections removed, found at any depth of plain objects) and its connections. */
function split(node: Obj): { line: Obj; connections: Obj[] } {
  const connections: Obj[] = [];
  const strip = (value: Obj): Obj => {
    const out: Obj = {};
    for (const [key, v] of Object.entries(value)) {
      if (isConnection(v)) connections.push(v);
      else out[key] = v && typeof v === "object" && !Array.isArray(v) ? strip(v as Obj) : v;
    }
    return out;
  };
  return { line: strip(node), connections };
}

function writeNode(node: Obj, parentId: string | undefined, out: string[]): void {
  const { line, connections } = split(node);
  out.push(JSON.stringify(parentId === undefined ? line : { ...line, __parentId: parentId }));
  for (const connection of connections) {
    if ((connection[PAGE_INFO_KEY] as PageInfo).hasNextPage) throw new Error(`emulator: a nested connection has more than ${MAX_PAGE_SIZE} nodes`);
    for (const child of nodesOf(connection)) writeNode(child, typeof line.id === "string" ? line.id : undefined, out);
  }
}

/**
 * The bulk query's result, one page of the top-level connection at a time (each yields the
 * lines of up to 250 root nodes), for `ctx`'s token (scopes, the 60-day window): the caller
 * yields to the event loop between pages, so a large snapshot never stalls the server.
 */
export function* bulkQueryPages(schema: GraphQLSchema, document: DocumentNode, root: Obj, ctx: GraphQLContext): Generator<{ lines: string[]; rootObjects: number }> {
  let after: string | null = null;
  for (;;) {
    const result = executeAdmin(schema, pagedDocument(schema, document, after), root, ctx, undefined, undefined);
    if (result.errors?.length) throw new Error(`emulator: bulk query failed: ${result.errors[0]!.message}`);
    const connection = Object.values(result.data ?? {}).find(isConnection);
    if (!connection) return;
    const lines: string[] = [];
    const nodes = nodesOf(connection);
    for (const node of nodes) writeNode(node, undefined, lines);
    yield { lines, rootObjects: nodes.length };
    const page = connection[PAGE_INFO_KEY] as PageInfo;
    if (!page.hasNextPage || !page.endCursor) return;
    after = page.endCursor;
  }
}
