// The manifest's fields as rows, read from the zod schema's JSON Schema (input side): the
// dotted path, the type, whether it is required, its default and the rules it checks.
// `<name>` stands for a key of a record, `[]` for the items of an array.
import { z } from "zod";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  default?: unknown;
  anyOf?: JsonSchema[];
  description?: string;
};

export type SchemaField = { path: string; type: string; required: boolean; default?: unknown; rules: string[]; description?: string };

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return `literal ${JSON.stringify(s.const)}`;
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
  if (s.type === "array") return `${s.items ? typeOf(s.items) : "unknown"}[]`;
  if (s.type === "object" && !s.properties && s.additionalProperties && typeof s.additionalProperties === "object") {
    return `record of ${typeOf(s.additionalProperties)}`;
  }
  if (Array.isArray(s.type)) return s.type.join(" | ");
  return s.type ?? "any";
}

function rulesOf(s: JsonSchema): string[] {
  const rules: string[] = [];
  if (s.pattern) rules.push(`matches \`${s.pattern}\``);
  if (s.minLength !== undefined) rules.push(`at least ${s.minLength} character(s)`);
  if (s.maxLength !== undefined) rules.push(`at most ${s.maxLength} characters`);
  if (s.minItems !== undefined) rules.push(`at least ${s.minItems} item(s)`);
  if (s.propertyNames?.enum) rules.push(`keys: ${s.propertyNames.enum.map((v) => JSON.stringify(v)).join(", ")}`);
  else if (s.propertyNames?.pattern) rules.push(`keys match \`${s.propertyNames.pattern}\``);
  if (s.type === "object" && s.additionalProperties === false) rules.push("no other keys");
  return rules;
}

function walk(s: JsonSchema, path: string, required: boolean, into: SchemaField[]): void {
  if (path) {
    into.push({
      path,
      type: typeOf(s),
      required,
      ...(s.default !== undefined ? { default: s.default } : {}),
      rules: rulesOf(s),
      ...(s.description ? { description: s.description } : {}),
    });
  }
  const prefix = path ? `${path}.` : "";
  for (const [name, child] of Object.entries(s.properties ?? {})) walk(child, `${prefix}${name}`, (s.required ?? []).includes(name), into);
  if (
    s.type === "object" &&
    s.additionalProperties &&
    typeof s.additionalProperties === "object" &&
    (s.additionalProperties.properties || s.additionalProperties.type === "object")
  ) {
    walk(s.additionalProperties, `${prefix}<name>`, false, into);
  }
  if (s.type === "array" && s.items?.properties) {
    for (const [name, child] of Object.entries(s.items.properties)) walk(child, `${path}[].${name}`, (s.items.required ?? []).includes(name), into);
  }
}

export function schemaFields(schema: z.ZodType): SchemaField[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const fields: SchemaField[] = [];
  walk(json, "", true, fields);
  return fields;
}
