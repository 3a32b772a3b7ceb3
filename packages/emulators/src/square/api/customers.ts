// GET /v2/customers (ListCustomers), POST /v2/customers/search (SearchCustomers),
// GET /v2/customers/:id.

import type { Hono } from "hono";
import type { SquareEmulatorState } from "../state.js";
import type { SquareCustomer } from "../types.js";
import {
  asObject,
  badRequest,
  cursorScope,
  errorResponse,
  inRange,
  notFound,
  pageResponse,
  parseEnum,
  parseLimit,
  parseTime,
  readJsonBody,
  requireScope,
  sortByTime,
  type SquareEnv,
} from "./context.js";

const LIMITS = { fallback: 100, max: 100 };
const SORT_ORDERS = ["ASC", "DESC"] as const;

/**
 * Square's DEFAULT order: alphanumerically by given_name + family_name; a profile without
 * either compares by company_name, then email_address, then phone_number. Ties by id, so
 * pages are stable.
 */
function nameKey(customer: SquareCustomer): string {
  const name = `${customer.given_name ?? ""}${customer.family_name ?? ""}`;
  return (name || customer.company_name || customer.email_address || customer.phone_number || "").toLowerCase();
}

function sortCustomers(customers: SquareCustomer[], field: CustomerSortField, order: "ASC" | "DESC"): SquareCustomer[] {
  if (field === "CREATED_AT") return sortByTime(customers, (customer) => customer.created_at, order);
  const direction = order === "ASC" ? 1 : -1;
  return [...customers].sort((a, b) => {
    const byName = nameKey(a).localeCompare(nameKey(b), "en");
    if (byName !== 0) return byName * direction;
    return (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * direction;
  });
}

/** Square's CustomerSortField: there is no UPDATED_AT sort. */
const SORT_FIELDS = ["DEFAULT", "CREATED_AT"] as const;
type CustomerSortField = (typeof SORT_FIELDS)[number];

const countRequested = (raw: unknown) => raw === true || raw === "true";

export function registerCustomerRoutes(app: Hono<SquareEnv>, state: SquareEmulatorState): void {
  const customersRead = requireScope("CUSTOMERS_READ");

  app.get("/v2/customers", customersRead, (c) => {
    const limit = parseLimit(c.req.query("limit"), "limit", LIMITS);
    if (!limit.ok) return errorResponse(c, 400, limit.error);
    const field = parseEnum(c.req.query("sort_field"), "sort_field", SORT_FIELDS, "DEFAULT");
    if (!field.ok) return errorResponse(c, 400, field.error);
    const order = parseEnum(c.req.query("sort_order"), "sort_order", SORT_ORDERS, "ASC");
    if (!order.ok) return errorResponse(c, 400, order.error);
    const data = c.get("data");
    return pageResponse(
      c,
      state,
      { scope: cursorScope("ListCustomers", data.merchant.id, [field.value, order.value]), cursor: c.req.query("cursor"), limit: limit.value, key: "customers" },
      () => sortCustomers(data.customers, field.value, order.value),
      (id) => data.customers.find((customer) => customer.id === id),
      undefined,
      { count: countRequested(c.req.query("count")) },
    );
  });

  app.post("/v2/customers/search", customersRead, async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return errorResponse(c, 400, body.error);
    const limit = parseLimit(body.value.limit, "limit", LIMITS);
    if (!limit.ok) return errorResponse(c, 400, limit.error);
    const query = asObject(body.value.query);
    const filter = asObject(query.filter);
    const sort = asObject(query.sort);
    const field = parseEnum(sort.field, "query.sort.field", SORT_FIELDS, "DEFAULT");
    if (!field.ok) return errorResponse(c, 400, field.error);
    const order = parseEnum(sort.order, "query.sort.order", SORT_ORDERS, "ASC");
    if (!order.ok) return errorResponse(c, 400, order.error);
    const ranges: Record<"created_at" | "updated_at", { start?: number; end?: number }> = { created_at: {}, updated_at: {} };
    for (const key of ["created_at", "updated_at"] as const) {
      const range = asObject(filter[key]);
      const start = parseTime(range.start_at, `query.filter.${key}.start_at`);
      if (!start.ok) return errorResponse(c, 400, start.error);
      const end = parseTime(range.end_at, `query.filter.${key}.end_at`);
      if (!end.ok) return errorResponse(c, 400, end.error);
      ranges[key] = { start: start.value, end: end.value };
    }
    const ids = asObject(filter.customer_ids);
    if (ids.any !== undefined && !Array.isArray(ids.any))
      return badRequest(c, "INVALID_VALUE", "Expected query.filter.customer_ids.any to be an array.", "query.filter.customer_ids.any");
    const anyIds = Array.isArray(ids.any) ? (ids.any as unknown[]).map(String) : undefined;
    const data = c.get("data");
    const scope = cursorScope("SearchCustomers", data.merchant.id, { field: field.value, order: order.value, ranges, anyIds });
    return pageResponse(
      c,
      state,
      { scope, cursor: typeof body.value.cursor === "string" ? body.value.cursor : undefined, limit: limit.value, key: "customers" },
      () =>
        sortCustomers(
          data.customers.filter(
            (customer) =>
              inRange(customer.created_at, ranges.created_at.start, ranges.created_at.end) &&
              inRange(customer.updated_at, ranges.updated_at.start, ranges.updated_at.end) &&
              (anyIds === undefined || anyIds.includes(customer.id)),
          ),
          field.value,
          order.value,
        ),
      (id) => data.customers.find((customer) => customer.id === id),
      undefined,
      { count: countRequested(body.value.count) },
    );
  });

  app.get("/v2/customers/:customerId", customersRead, (c) => {
    const customer = c.get("data").customers.find((candidate) => candidate.id === c.req.param("customerId"));
    return customer ? c.json({ customer }) : notFound(c, `Customer with ID \`${c.req.param("customerId")}\` not found.`);
  });
}
