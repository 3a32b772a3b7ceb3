// Square's own definitions of every exchange the emulator serves: the official `square` SDK's
// serialization schemas (a devDependency: only tests and recordings are checked with them).
// Parsing is strict: an unknown field, an enum value Square does not define or a missing
// required field fails. Each route maps to its response schema and, where the body is JSON,
// its request schema; GET routes list the query parameters Square defines.
import { serialization } from "square";

/** A schema of the SDK: parse(raw, options) → { ok, value } | { ok: false, errors }. */
export interface SquareSchema {
  parse(raw: unknown, options?: Record<string, unknown>): { ok: true; value: unknown } | { ok: false; errors: { path: string[]; message: string }[] };
}

export interface RouteContract {
  /** The SDK's operation name, for messages. */
  operation: string;
  method: "GET" | "POST";
  /** Matches the request path (no query). */
  path: RegExp;
  response: SquareSchema;
  request?: SquareSchema;
  /** Query parameters Square defines for this GET, with the enum schema of those that have one. */
  query?: Record<string, SquareSchema | "string" | "integer" | "boolean" | "time">;
}

const s = serialization as unknown as Record<string, SquareSchema> & {
  orders: Record<string, SquareSchema>;
  customers: Record<string, SquareSchema>;
  oAuth: Record<string, SquareSchema>;
};

const paymentListQuery = {
  begin_time: "time",
  end_time: "time",
  sort_order: s.SortOrder!,
  cursor: "string",
  location_id: "string",
  limit: "integer",
  updated_at_begin_time: "time",
  updated_at_end_time: "time",
} as const;

export const ROUTE_CONTRACTS: readonly RouteContract[] = [
  { operation: "ObtainToken", method: "POST", path: /^\/oauth2\/token$/, response: s.ObtainTokenResponse!, request: s.oAuth.ObtainTokenRequest! },
  { operation: "RevokeToken", method: "POST", path: /^\/oauth2\/revoke$/, response: s.RevokeTokenResponse!, request: s.oAuth.RevokeTokenRequest! },
  { operation: "RetrieveMerchant", method: "GET", path: /^\/v2\/merchants\/[^/]+$/, response: s.GetMerchantResponse!, query: {} },
  { operation: "ListLocations", method: "GET", path: /^\/v2\/locations$/, response: s.ListLocationsResponse!, query: {} },
  { operation: "RetrieveLocation", method: "GET", path: /^\/v2\/locations\/[^/]+$/, response: s.GetLocationResponse!, query: {} },
  {
    operation: "ListCustomers",
    method: "GET",
    path: /^\/v2\/customers$/,
    response: s.ListCustomersResponse!,
    query: { cursor: "string", limit: "integer", sort_field: s.CustomerSortField!, sort_order: s.SortOrder!, count: "boolean" },
  },
  { operation: "SearchCustomers", method: "POST", path: /^\/v2\/customers\/search$/, response: s.SearchCustomersResponse!, request: s.customers.SearchCustomersRequest! },
  { operation: "RetrieveCustomer", method: "GET", path: /^\/v2\/customers\/[^/]+$/, response: s.GetCustomerResponse!, query: {} },
  { operation: "SearchOrders", method: "POST", path: /^\/v2\/orders\/search$/, response: s.SearchOrdersResponse!, request: s.orders.SearchOrdersRequest! },
  { operation: "BatchRetrieveOrders", method: "POST", path: /^\/v2\/orders\/batch-retrieve$/, response: s.BatchGetOrdersResponse!, request: s.orders.BatchGetOrdersRequest! },
  { operation: "RetrieveOrder", method: "GET", path: /^\/v2\/orders\/[^/]+$/, response: s.GetOrderResponse!, query: {} },
  {
    operation: "ListPayments",
    method: "GET",
    path: /^\/v2\/payments$/,
    response: s.ListPaymentsResponse!,
    query: { ...paymentListQuery, sort_field: s.ListPaymentsRequestSortField!, total: "integer", last_4: "string", card_brand: "string", is_offline_payment: "boolean" },
  },
  { operation: "GetPayment", method: "GET", path: /^\/v2\/payments\/[^/]+$/, response: s.GetPaymentResponse!, query: {} },
  {
    operation: "ListPaymentRefunds",
    method: "GET",
    path: /^\/v2\/refunds$/,
    response: s.ListPaymentRefundsResponse!,
    query: { ...paymentListQuery, sort_field: s.ListPaymentRefundsRequestSortField!, status: "string", source_type: "string" },
  },
  { operation: "GetPaymentRefund", method: "GET", path: /^\/v2\/refunds\/[^/]+$/, response: s.GetPaymentRefundResponse!, query: {} },
];

/** A body that is only `{ errors: [...] }` (any v2 response schema accepts it; this one has nothing else). */
export const ERRORS_SCHEMA: SquareSchema = s.RevokeTokenResponse!;

/** Webhook event type → the SDK's event schema. */
export const WEBHOOK_EVENT_CONTRACTS: Readonly<Record<string, SquareSchema>> = {
  "customer.created": s.CustomerCreatedEvent!,
  "customer.updated": s.CustomerUpdatedEvent!,
  "customer.deleted": s.CustomerDeletedEvent!,
  "order.created": s.OrderCreatedEvent!,
  "order.updated": s.OrderUpdatedEvent!,
  "payment.updated": s.PaymentUpdatedEvent!,
  "refund.created": s.RefundCreatedEvent!,
  "refund.updated": s.RefundUpdatedEvent!,
  "oauth.authorization.revoked": s.OauthAuthorizationRevokedEvent!,
};
