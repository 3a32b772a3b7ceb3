// Shopify's calculated query cost: scalars and enums 0, objects 1, connections 2 plus the
// page size times the cost of one node; an interface or union costs the most expensive of
// the types it may be (fragments are not summed); a mutation field costs 10. Variables the
// request omits take their declared defaults, as execution does. Requested cost uses
// `first`/`last`; actual cost counts what the response really returned.
// https://shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits
import {
  Kind,
  OperationTypeNode,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  isObjectType,
  isInterfaceType,
  isAbstractType,
  isInputType,
  valueFromAST,
  typeFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from "graphql";

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function isConnection(type: GraphQLNamedType): boolean {
  return type.name.endsWith("Connection");
}

function ownCost(type: GraphQLNamedType): number {
  if (isConnection(type)) return 2;
  if (type.name.endsWith("Edge") || type.name === "PageInfo") return 0;
  return 1;
}

function intArgument(field: FieldNode, names: string[], walk: Walk): number | undefined {
  for (const name of names) {
    const arg = field.arguments?.find((a) => a.name.value === name);
    if (!arg) continue;
    const value = valueOf(arg.value, walk);
    if (typeof value === "number") return value;
  }
  return undefined;
}

function valueOf(node: ValueNode, walk: Walk): unknown {
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) return walk.variables[node.name.value];
  return undefined;
}

function fieldDef(type: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(type) || isInterfaceType(type)) return type.getFields()[name];
  return undefined;
}

/** Does a fragment with type condition `condition` apply to an object of type `type`? */
function applies(walk: Walk, condition: GraphQLNamedType | null | undefined, type: GraphQLNamedType): boolean {
  if (!condition || condition === type) return true;
  if (isAbstractType(condition) && isObjectType(type)) return walk.schema.isSubType(condition, type);
  // Selecting on an abstract type: every fragment counts, for the walk over its possible types.
  return isAbstractType(type);
}

/** Visit every field node selected on `type`, through the fragments that apply to it. */
function eachField(selectionSet: SelectionSetNode | undefined, type: GraphQLNamedType, walk: Walk, visit: (field: FieldNode, parent: GraphQLNamedType) => void): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) visit(selection, type);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : type;
      if (applies(walk, condition, type)) eachField(selection.selectionSet, isAbstractType(type) ? (condition ?? type) : type, walk, visit);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      if (!fragment) continue;
      const condition = walk.schema.getType(fragment.typeCondition.name.value);
      if (applies(walk, condition, type)) eachField(fragment.selectionSet, isAbstractType(type) ? (condition ?? type) : type, walk, visit);
    }
  }
}

function requested(selectionSet: SelectionSetNode | undefined, type: GraphQLNamedType, pageSize: number | undefined, walk: Walk): number {
  if (isAbstractType(type)) {
    // The most expensive of the object types it may be.
    return Math.max(0, ...walk.schema.getPossibleTypes(type).map((possible) => requested(selectionSet, possible, pageSize, walk)));
  }
  let total = 0;
  eachField(selectionSet, type, walk, (field, parent) => {
    const def = fieldDef(parent, field.name.value);
    if (!def) return;
    const named = getNamedType(def.type);
    if (isLeafType(named)) return;
    const size = isConnection(named) ? (intArgument(field, ["first", "last"], walk) ?? 0) : undefined;
    const perItem = ownCost(named) + requested(field.selectionSet, named, size, walk);
    // Only a connection's own lists (nodes, edges) scale with its page size; Shopify documents
    // no multiplier for plain lists such as Order.refunds, so they cost one object.
    total += isListType(getNullableType(def.type)) && pageSize !== undefined ? perItem * pageSize : perItem;
  });
  return total;
}

function actual(selectionSet: SelectionSetNode | undefined, type: GraphQLNamedType, data: unknown, walk: Walk): number {
  if (!data || typeof data !== "object") return 0;
  let total = 0;
  eachField(selectionSet, type, walk, (field, parent) => {
    const def = fieldDef(parent, field.name.value);
    if (!def) return;
    const named = getNamedType(def.type);
    if (isLeafType(named)) return;
    const value = (data as Record<string, unknown>)[field.alias?.value ?? field.name.value];
    if (value === null || value === undefined) return;
    const items = Array.isArray(value) ? (value as unknown[]) : [value];
    for (const item of items) {
      if (item === null) continue;
      total += ownCost(named) + actual(field.selectionSet, named, item, walk);
    }
  });
  return total;
}

function operation(document: DocumentNode, operationName: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
}

/** The request's variables, with the operation's declared defaults for those it omits. */
function withDefaults(schema: GraphQLSchema, op: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  const values = { ...variables };
  for (const definition of op.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (values[name] !== undefined || !definition.defaultValue) continue;
    const type = typeFromAST(schema, definition.type);
    if (type && isInputType(type)) values[name] = valueFromAST(definition.defaultValue, type);
  }
  return values;
}

function walkFor(schema: GraphQLSchema, document: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown> | undefined): Walk {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return { schema, fragments, variables: withDefaults(schema, op, variables ?? {}) };
}

/** Each root field of a mutation costs 10, whatever it selects. */
const MUTATION_FIELD_COST = 10;

function mutationCost(op: OperationDefinitionNode, walk: Walk, root: GraphQLNamedType): number {
  let fields = 0;
  eachField(op.selectionSet, root, walk, (field) => {
    if (field.name.value !== "__typename") fields++;
  });
  return fields * MUTATION_FIELD_COST;
}

export function requestedQueryCost(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, operationName: string | undefined): number {
  const op = operation(document, operationName);
  if (!op) return 0;
  const root = op.operation === OperationTypeNode.MUTATION ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
  const walk = walkFor(schema, document, op, variables);
  return op.operation === OperationTypeNode.MUTATION ? mutationCost(op, walk, root) : requested(op.selectionSet, root, undefined, walk);
}

export function actualQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  data: unknown,
): number {
  const op = operation(document, operationName);
  if (!op) return 0;
  const root = op.operation === OperationTypeNode.MUTATION ? schema.getMutationType() : schema.getQueryType();
  if (!root) return 0;
  const walk = walkFor(schema, document, op, variables);
  return op.operation === OperationTypeNode.MUTATION ? mutationCost(op, walk, root) : actual(op.selectionSet, root, data, walk);
}
