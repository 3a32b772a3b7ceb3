// The shapes of the JSON fixtures the tests read and edit: Square's responses and webhook
// events, in the connector's own provider types (a fixture that drifts fails the typecheck
// where a test reads it, not at run time).
import type { SquareCustomer, SquareOrder, SquarePayment, SquarePaymentRefund } from "../src/lib/square-types.js";

export type OrdersFixture = { orders: SquareOrder[] };
export type CustomersFixture = { customers: SquareCustomer[] };
export type RefundsFixture = { refunds: SquarePaymentRefund[] };
export type PaymentFixture = { payment: SquarePayment };
/** ObtainToken's response, read by the manifest's token paths. */
export type ObtainTokenFixture = Record<string, unknown>;
/** A webhook event the tests edit (the fields they change; the rest passes through). */
export type EventFixture = { event_id?: string; merchant_id?: string; [field: string]: unknown };
export type CustomerUpdatedEventFixture = EventFixture & { data: { object: { customer: SquareCustomer & { note?: string } } } };
