// Checks exchanges and webhook events against Square's SDK schemas (schemas.ts) and reports
// every violation as "<operation> <what>: <path>: <message>", so one run lists them all.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RecordedExchange } from "../recorder.js";
import { ERRORS_SCHEMA, ROUTE_CONTRACTS, WEBHOOK_EVENT_CONTRACTS, type RouteContract, type SquareSchema } from "./schemas.js";

/** Strict: unknown keys, unknown enum values and unknown union members all fail. */
export const STRICT_PARSE = {
  unrecognizedObjectKeys: "fail",
  allowUnrecognizedEnumValues: false,
  allowUnrecognizedUnionMembers: false,
  skipValidation: false,
} as const;

export interface ContractReport {
  checked: number;
  /** Exchanges skipped on purpose: injected malformed bodies, timeouts. */
  skipped: number;
  /** Operations seen, with how many exchanges each. */
  operations: Record<string, number>;
  violations: string[];
}

export function contractFor(method: string, path: string): RouteContract | undefined {
  return ROUTE_CONTRACTS.find((contract) => contract.method === method && contract.path.test(path));
}

function schemaErrors(schema: SquareSchema, raw: unknown, label: string): string[] {
  const result = schema.parse(raw, STRICT_PARSE);
  return result.ok ? [] : result.errors.map((error) => `${label}: ${error.path.join(".") || "(root)"}: ${error.message}`);
}

function queryErrors(contract: RouteContract, query: Record<string, string>): string[] {
  const allowed = contract.query ?? {};
  const errors: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    const kind = allowed[name];
    const label = `${contract.operation} query ${name}=${value}`;
    if (kind === undefined) errors.push(`${label}: not a parameter Square defines`);
    else if (kind === "integer" && !/^-?\d+$/.test(value)) errors.push(`${label}: not an integer`);
    else if (kind === "boolean" && value !== "true" && value !== "false") errors.push(`${label}: not a boolean`);
    else if (kind === "time" && Number.isNaN(Date.parse(value))) errors.push(`${label}: not an RFC 3339 time`);
    else if (typeof kind === "object") errors.push(...schemaErrors(kind, value, label));
  }
  return errors;
}

/** Every violation of one exchange: request (body or query) and response body. */
export function checkExchange(exchange: RecordedExchange): string[] {
  const contract = contractFor(exchange.method, exchange.path);
  if (!contract) return [`${exchange.method} ${exchange.path}: no Square operation serves this route`];
  const errors: string[] = [];
  if (contract.request) {
    if (exchange.requestBody === undefined) errors.push(`${contract.operation} request: body is not JSON`);
    else errors.push(...schemaErrors(contract.request, exchange.requestBody, `${contract.operation} request`));
  } else {
    errors.push(...queryErrors(contract, exchange.query));
  }
  const label = `${contract.operation} response (${exchange.status})`;
  if (exchange.responseBody === undefined) errors.push(`${label}: body is not JSON`);
  else if (exchange.path.startsWith("/oauth2/") && exchange.status >= 400) errors.push(...oauthErrorBodyErrors(exchange.responseBody, label));
  else errors.push(...schemaErrors(contract.response, exchange.responseBody, label));
  return errors;
}

/**
 * Square's OAuth failures carry the legacy `{ message, type }` beside `errors`, which the SDK's
 * response schemas do not describe: the two legacy strings are checked here, `errors` with the
 * SDK's Error schema.
 */
function oauthErrorBodyErrors(body: unknown, label: string): string[] {
  if (!body || typeof body !== "object" || Array.isArray(body)) return [`${label}: not a JSON object`];
  const { message, type, errors, ...rest } = body as Record<string, unknown>;
  const out = Object.keys(rest).map((key) => `${label}: ${key}: Unexpected key "${key}"`);
  if (typeof message !== "string" || typeof type !== "string") out.push(`${label}: legacy message/type missing`);
  if (errors !== undefined) out.push(...schemaErrors(ERRORS_SCHEMA, { errors }, label));
  return out;
}

/** A fault injected to break the response (the body is meant to be cut, or never comes). */
const isDeliberatelyBroken = (exchange: RecordedExchange) => exchange.fault === "malformed_json" || exchange.fault === "timeout";

export function checkExchanges(exchanges: readonly RecordedExchange[]): ContractReport {
  const report: ContractReport = { checked: 0, skipped: 0, operations: {}, violations: [] };
  for (const exchange of exchanges) {
    if (isDeliberatelyBroken(exchange)) {
      report.skipped += 1;
      continue;
    }
    report.checked += 1;
    const operation = contractFor(exchange.method, exchange.path)?.operation ?? `${exchange.method} ${exchange.path}`;
    report.operations[operation] = (report.operations[operation] ?? 0) + 1;
    report.violations.push(...checkExchange(exchange));
  }
  return report;
}

/** Reads a recording directory (recorder.ts) and checks every exchange in it. */
export function checkRecordedDir(dir: string): ContractReport {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort();
  return checkExchanges(files.map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")) as RecordedExchange));
}

export function checkWebhookEvent(event: { type?: string }): string[] {
  const schema = event.type ? WEBHOOK_EVENT_CONTRACTS[event.type] : undefined;
  if (!schema) return [`webhook ${event.type ?? "(no type)"}: no Square event schema`];
  return schemaErrors(schema, event, `webhook ${event.type}`);
}
