// Runs a document against the real Admin schema. Fields the emulator does not model resolve
// to null, or to an empty/zero placeholder when the schema forbids null, so any valid query
// executes instead of failing on the first unmodelled non-null field.
import {
  defaultFieldResolver,
  execute,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLFieldResolver,
  type GraphQLOutputType,
  type GraphQLSchema,
} from "graphql";
import type { GraphQLContext } from "./resolvers.js";

function placeholder(schema: GraphQLSchema, type: GraphQLOutputType): unknown {
  if (!isNonNullType(type)) return null;
  const inner = type.ofType;
  if (isListType(inner)) return [];
  if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
  if (isScalarType(inner)) {
    switch (inner.name) {
      case "ID":
        return "gid://shopify/Emulated/0";
      case "String":
      case "HTML":
        return "";
      case "Int":
      case "Float":
        return 0;
      case "Boolean":
        return false;
      case "Decimal":
      case "Money":
        return "0.0";
      case "UnsignedInt64":
        return "0";
      case "DateTime":
        return "1970-01-01T00:00:00Z";
      case "Date":
        return "1970-01-01";
      case "URL":
        return "https://emulated.invalid/";
      case "JSON":
        return {};
      default:
        return "";
    }
  }
  if (isObjectType(inner)) return {};
  if (isAbstractType(inner)) {
    const first = schema.getPossibleTypes(inner)[0];
    return first ? { __typename: first.name } : null;
  }
  return null;
}

const fieldResolver: GraphQLFieldResolver<unknown, GraphQLContext> = (source, args, context, info) => {
  const value: unknown = defaultFieldResolver(source, args, context, info);
  if (value !== undefined) return value;
  // Placeholder objects have no fields either; scalars under them fall back the same way.
  return placeholder(info.schema, info.returnType);
};

export function executeAdmin(
  schema: GraphQLSchema,
  document: DocumentNode,
  root: Record<string, unknown>,
  context: GraphQLContext,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
): ExecutionResult {
  const result = execute({
    schema,
    document,
    rootValue: root,
    contextValue: context,
    variableValues: variables,
    operationName,
    fieldResolver,
  });
  if (result instanceof Promise) throw new Error("resolvers must be synchronous");
  return result;
}
