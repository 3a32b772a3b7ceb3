// What Shopify checks in a bulkOperationRunQuery query before it creates the operation: a
// valid Admin document with at least one connection, at most five connections, nested at
// most two deep, no pagination arguments (the operation reads every node), no connection
// inside a list field, no top-level node/nodes, and an `id` on every parent of a nested
// connection (its children carry it as __parentId). Each refusal is a userError on
// ["query"] with code INVALID, worded as Shopify words it.
import {
  GraphQLError,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  OperationTypeNode,
  parse,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

export const MAX_BULK_CONNECTIONS = 5;
export const MAX_BULK_CONNECTION_DEPTH = 2;
const PAGINATION_ARGUMENTS = new Set(["first", "last", "after", "before"]);

export type BulkUserError = { field: string[] | null; message: string; code: "INVALID" | "LIMIT_REACHED" | "OPERATION_IN_PROGRESS" };
export type BulkQueryCheck = { ok: true; document: DocumentNode; operation: OperationDefinitionNode } | { ok: false; userErrors: BulkUserError[] };

const invalid = (message: string): BulkQueryCheck => ({ ok: false, userErrors: [{ field: ["query"], message, code: "INVALID" }] });

/** A connection field: its type (unwrapped) is a `...Connection` object with edges or nodes. */
export function isConnectionType(type: GraphQLOutputType): boolean {
  const named = getNamedType(type);
  return isObjectType(named) && named.name.endsWith("Connection") && ("edges" in named.getFields() || "nodes" in named.getFields());
}

function isListField(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

type Walk = {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  connections: string[];
  problems: string[];
};

function selectsId(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>): boolean {
  if (!set) return false;
  return set.selections.some((s) => {
    if (s.kind === Kind.FIELD) return s.name.value === "id";
    if (s.kind === Kind.INLINE_FRAGMENT) return selectsId(s.selectionSet, fragments);
    return selectsId(fragments.get(s.name.value)?.selectionSet, fragments);
  });
}

/**
 * Walks one selection set. `depth` counts the connections above, `inList` says a list field
 * is between here and the nearest connection node, `parentSet` is the selection of the
 * node a connection here would hang from.
 */
function walk(w: Walk, set: SelectionSetNode, parent: GraphQLCompositeType, depth: number, inList: boolean, parentSet: SelectionSetNode | undefined, top: boolean): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = w.fragments.get(selection.name.value);
      const type = fragment && w.schema.getType(fragment.typeCondition.name.value);
      if (fragment && type) walk(w, fragment.selectionSet, type as GraphQLCompositeType, depth, inList, parentSet, top);
      continue;
    }
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? w.schema.getType(selection.typeCondition.name.value) : parent;
      if (type) walk(w, selection.selectionSet, type as GraphQLCompositeType, depth, inList, parentSet, top);
      continue;
    }
    const name = selection.name.value;
    if (top && (name === "node" || name === "nodes")) w.problems.push("Bulk queries cannot contain a top level `node` or `nodes` field.");
    if (!(isObjectType(parent) || isInterfaceType(parent))) continue;
    const field = parent.getFields()[name];
    if (!field || !selection.selectionSet) continue;
    const named = getNamedType(field.type) as GraphQLCompositeType;
    if (isConnectionType(field.type)) {
      w.connections.push(name);
      const args = (selection.arguments ?? []).map((a) => a.name.value).filter((a) => PAGINATION_ARGUMENTS.has(a));
      if (args.length) w.problems.push(`Bulk queries cannot contain pagination arguments: ${args.join(", ")} on field '${name}'.`);
      if (inList) w.problems.push("Queries that contain a connection field within a list field are not currently supported.");
      if (depth + 1 > MAX_BULK_CONNECTION_DEPTH) w.problems.push(`Bulk queries cannot contain connections with a nesting depth greater than ${MAX_BULK_CONNECTION_DEPTH}.`);
      if (depth > 0 && !selectsId(parentSet, w.fragments))
        w.problems.push(`The parent 'node' field for a nested connection must select the 'id' field. Connection fields without 'id': ${name}.`);
      // Below a connection: its edges/node or nodes are the nodes children hang from.
      walkConnection(w, selection.selectionSet, named, depth + 1);
      continue;
    }
    walk(w, selection.selectionSet, named, depth, inList || isListField(field.type), selection.selectionSet, false);
  }
}

function walkConnection(w: Walk, set: SelectionSetNode, connectionType: GraphQLCompositeType, depth: number): void {
  if (!isObjectType(connectionType)) return;
  const fields = connectionType.getFields();
  for (const selection of set.selections) {
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
    const name = selection.name.value;
    if (name === "nodes") {
      walk(w, selection.selectionSet, getNamedType(fields.nodes!.type) as GraphQLCompositeType, depth, false, selection.selectionSet, false);
    } else if (name === "edges") {
      const edgeType = getNamedType(fields.edges!.type);
      if (!isObjectType(edgeType)) continue;
      for (const edgeSel of selection.selectionSet.selections) {
        if (edgeSel.kind === Kind.FIELD && edgeSel.name.value === "node" && edgeSel.selectionSet) {
          walk(w, edgeSel.selectionSet, getNamedType(edgeType.getFields().node!.type) as GraphQLCompositeType, depth, false, edgeSel.selectionSet, false);
        }
      }
    }
  }
}

/** Checks a bulk query as Shopify does before creating the operation. */
export function checkBulkQuery(schema: GraphQLSchema, query: string): BulkQueryCheck {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    if (error instanceof GraphQLError) return invalid(`Invalid bulk query: ${error.message}`);
    throw error;
  }
  const errors = validate(schema, document);
  if (errors.length) return invalid(`Invalid bulk query: ${errors[0]!.message}`);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operations[0];
  if (!operation || operations.length > 1 || operation.operation !== OperationTypeNode.QUERY)
    return invalid("Invalid bulk query: a bulk query must be exactly one query operation.");
  if (operation.variableDefinitions?.length) return invalid("Invalid bulk query: bulk queries cannot use variables.");
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const w: Walk = { schema, fragments, connections: [], problems: [] };
  walk(w, operation.selectionSet, schema.getQueryType()!, 0, false, undefined, true);
  if (w.connections.length === 0) w.problems.push("Bulk queries must contain at least one connection.");
  if (w.connections.length > MAX_BULK_CONNECTIONS) w.problems.push(`Bulk queries cannot contain more than ${MAX_BULK_CONNECTIONS} connections.`);
  const topConnections = operation.selectionSet.selections.filter(
    (s) => s.kind === Kind.FIELD && isConnectionType(schema.getQueryType()!.getFields()[s.name.value]?.type ?? schema.getQueryType()!),
  );
  if (w.problems.length === 0 && topConnections.length !== 1) w.problems.push("Invalid bulk query: the emulator runs bulk queries with exactly one top-level connection.");
  const problems = [...new Set(w.problems)];
  if (problems.length) return { ok: false, userErrors: problems.map((message) => ({ field: ["query"], message, code: "INVALID" })) };
  return { ok: true, document, operation };
}
