// POST /v2/orders/search (SearchOrders) and GET /v2/orders/:id (RetrieveOrder).

import type { Hono } from "hono";
import type { SquareEmulatorState } from "../state.js";
import type { SquareOrder, SquareOrderState } from "../types.js";
import {
  asObject,
  badRequest,
  clampLimit,
  cursorScope,
  errorResponse,
  inRange,
  notFound,
  pageResponse,
  parseEnum,
  parseTime,
  readJsonBody,
  requireScope,
  sortByTime,
  type SquareEnv,
} from "./context.js";

const MAX_LOCATION_IDS = 10;
/** SearchOrders' default page, and in practice its maximum: a larger limit still serves 500. */
const SEARCH_LIMITS = { fallback: 500, max: 500 };
/** BatchRetrieveOrders takes at most 100 order ids. */
const MAX_BATCH_ORDER_IDS = 100;
const ORDER_STATES: readonly SquareOrderState[] = ["OPEN", "COMPLETED", "CANCELED"];
const TIME_FIELDS = ["CREATED_AT", "UPDATED_AT", "CLOSED_AT"] as const;
type TimeField = (typeof TIME_FIELDS)[number];

const timeOf = (order: SquareOrder, field: TimeField) => (field === "CREATED_AT" ? order.created_at : field === "UPDATED_AT" ? order.updated_at : order.closed_at);

export function registerOrderRoutes(app: Hono<SquareEnv>, state: SquareEmulatorState): void {
  const ordersRead = requireScope("ORDERS_READ");

  app.post("/v2/orders/search", ordersRead, async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return errorResponse(c, 400, body.error);
    const data = c.get("data");
    const request = body.value;

    if (!Array.isArray(request.location_ids) || request.location_ids.length === 0) {
      return badRequest(c, "MISSING_REQUIRED_PARAMETER", "At least one location_id must be provided.", "location_ids");
    }
    const locationIds = (request.location_ids as unknown[]).map(String);
    if (locationIds.length > MAX_LOCATION_IDS) {
      return badRequest(c, "INVALID_VALUE", `Cannot provide more than ${MAX_LOCATION_IDS} location_ids.`, "location_ids");
    }
    const unknownLocation = locationIds.find((id) => !data.locations.some((location) => location.id === id));
    if (unknownLocation !== undefined) return badRequest(c, "NOT_FOUND", `Location \`${unknownLocation}\` not found.`, "location_ids");

    const limit = clampLimit(request.limit, "limit", SEARCH_LIMITS);
    if (!limit.ok) return errorResponse(c, 400, limit.error);

    const query = asObject(request.query);
    const filter = asObject(query.filter);
    const sort = asObject(query.sort);
    const sortField = parseEnum(sort.sort_field, "query.sort.sort_field", TIME_FIELDS, "CREATED_AT");
    if (!sortField.ok) return errorResponse(c, 400, sortField.error);
    const sortOrder = parseEnum(sort.sort_order, "query.sort.sort_order", ["ASC", "DESC"] as const, "DESC");
    if (!sortOrder.ok) return errorResponse(c, 400, sortOrder.error);

    const dateTimeFilter = asObject(filter.date_time_filter);
    const filterFields = TIME_FIELDS.filter((field) => dateTimeFilter[field.toLowerCase()] !== undefined);
    if (filterFields.length > 1) {
      return badRequest(c, "INVALID_VALUE", "Only one of created_at, updated_at or closed_at may be set in date_time_filter.", "query.filter.date_time_filter");
    }
    const timeField = filterFields[0];
    let range: { start?: number; end?: number } = {};
    if (timeField !== undefined) {
      // Square: a date_time_filter field must match the sort field.
      if (sortField.value !== timeField) {
        return badRequest(c, "INVALID_VALUE", `The sort_field must be ${timeField} when filtering on ${timeField.toLowerCase()}.`, "query.sort.sort_field");
      }
      const raw = asObject(dateTimeFilter[timeField.toLowerCase()]);
      const start = parseTime(raw.start_at, `query.filter.date_time_filter.${timeField.toLowerCase()}.start_at`);
      if (!start.ok) return errorResponse(c, 400, start.error);
      const end = parseTime(raw.end_at, `query.filter.date_time_filter.${timeField.toLowerCase()}.end_at`);
      if (!end.ok) return errorResponse(c, 400, end.error);
      range = { start: start.value, end: end.value };
    }

    const stateFilter = asObject(filter.state_filter);
    let states: SquareOrderState[] | undefined;
    if (stateFilter.states !== undefined) {
      if (!Array.isArray(stateFilter.states) || stateFilter.states.some((value) => !ORDER_STATES.includes(value as SquareOrderState))) {
        return badRequest(c, "INVALID_ENUM_VALUE", `query.filter.state_filter.states must hold ${ORDER_STATES.join(", ")}.`, "query.filter.state_filter.states");
      }
      states = stateFilter.states as SquareOrderState[];
    }
    const customerFilter = asObject(filter.customer_filter);
    const customerIds = Array.isArray(customerFilter.customer_ids) ? (customerFilter.customer_ids as unknown[]).map(String) : undefined;
    const returnEntries = request.return_entries === true;

    const scope = cursorScope("SearchOrders", data.merchant.id, {
      locationIds,
      sortField: sortField.value,
      sortOrder: sortOrder.value,
      timeField,
      range,
      states,
      customerIds,
      returnEntries,
    });
    return pageResponse(
      c,
      state,
      { scope, cursor: typeof request.cursor === "string" ? request.cursor : undefined, limit: limit.value, key: returnEntries ? "order_entries" : "orders" },
      () =>
        sortByTime(
          data.orders.filter(
            (order) =>
              locationIds.includes(order.location_id) &&
              (states === undefined || states.includes(order.state)) &&
              (customerIds === undefined || (order.customer_id !== undefined && customerIds.includes(order.customer_id))) &&
              // Sorting by CLOSED_AT only returns closed orders, as Square does.
              (sortField.value !== "CLOSED_AT" || order.closed_at !== undefined) &&
              (timeField === undefined || inRange(timeOf(order, timeField), range.start, range.end)),
          ),
          (order) => timeOf(order, sortField.value),
          sortOrder.value,
        ),
      (id) => data.orders.find((order) => order.id === id),
      (order) => (returnEntries ? { order_id: order.id, version: order.version, location_id: order.location_id } : order),
    );
  });

  // BatchRetrieveOrders: ids it does not find are left out, not errors (Square's rule).
  app.post("/v2/orders/batch-retrieve", ordersRead, async (c) => {
    const body = await readJsonBody(c);
    if (!body.ok) return errorResponse(c, 400, body.error);
    const ids = body.value.order_ids;
    if (!Array.isArray(ids) || ids.length === 0 || ids.some((id) => typeof id !== "string")) {
      return badRequest(c, "MISSING_REQUIRED_PARAMETER", "order_ids must be a non-empty array of order ids.", "order_ids");
    }
    if (ids.length > MAX_BATCH_ORDER_IDS) return badRequest(c, "TOO_MANY_MAP_ENTRIES", `Cannot retrieve more than ${MAX_BATCH_ORDER_IDS} orders at once.`, "order_ids");
    const data = c.get("data");
    const locationId = typeof body.value.location_id === "string" ? body.value.location_id : undefined;
    const orders = [...new Set(ids as string[])]
      .map((id) => data.orders.find((order) => order.id === id))
      .filter((order): order is SquareOrder => order !== undefined && (locationId === undefined || order.location_id === locationId));
    return c.json(orders.length ? { orders } : {});
  });

  app.get("/v2/orders/:orderId", ordersRead, (c) => {
    const order = c.get("data").orders.find((candidate) => candidate.id === c.req.param("orderId"));
    return order ? c.json({ order }) : notFound(c, `Order \`${c.req.param("orderId")}\` not found.`);
  });
}
