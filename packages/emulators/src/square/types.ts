// Wire shapes of the Square API objects the emulator serves (snake_case, as Square sends them).
// Records are stored in exactly this shape so the API can return them without mapping and
// end-to-end tests can compare synced records with `state.snapshot()` field by field.

export type SquareCurrency = "USD" | "JPY" | "KWD" | (string & {});

/** Integer amount in the currency's minor units: USD cents, JPY yen (exponent 0), KWD fils (exponent 3). */
export interface Money {
  amount: number;
  currency: SquareCurrency;
}

export interface SquareMerchant {
  id: string;
  business_name: string;
  country: string;
  language_code: string;
  currency: SquareCurrency;
  status: "ACTIVE" | "INACTIVE";
  main_location_id: string;
  created_at: string;
}

export interface SquareLocation {
  id: string;
  name: string;
  merchant_id: string;
  business_name: string;
  country: string;
  language_code: string;
  currency: SquareCurrency;
  timezone: string;
  status: "ACTIVE" | "INACTIVE";
  type: "PHYSICAL" | "MOBILE";
  capabilities: string[];
  created_at: string;
}

export interface SquareCustomer {
  id: string;
  created_at: string;
  updated_at: string;
  given_name: string;
  family_name: string;
  email_address?: string;
  phone_number?: string;
  company_name?: string;
  reference_id?: string;
  preferences: { email_unsubscribed: boolean };
  creation_source: string;
  version: number;
}

export interface SquareOrderLineItem {
  uid: string;
  name: string;
  quantity: string;
  item_type: "ITEM";
  base_price_money: Money;
  variation_total_price_money: Money;
  gross_sales_money: Money;
  total_discount_money: Money;
  total_tax_money: Money;
  total_money: Money;
}

export interface SquareOrderTender {
  id: string;
  location_id: string;
  transaction_id: string;
  created_at: string;
  amount_money: Money;
  type: "CARD" | "CASH";
  payment_id: string;
}

/** A refund as an Order shows it (Square's `Refund`), on the return order it belongs to. */
export interface SquareOrderRefund {
  id: string;
  location_id: string;
  transaction_id: string;
  tender_id: string;
  created_at: string;
  reason: string;
  amount_money: Money;
  status: SquareOrderRefundStatus;
}

/** `Refund.status` (Order.refunds[]): not PaymentRefund's statuses; a completed refund is APPROVED. */
export type SquareOrderRefundStatus = "PENDING" | "APPROVED" | "REJECTED" | "FAILED";

export type SquareOrderState = "OPEN" | "COMPLETED" | "CANCELED";

/** Square's `OrderMoneyAmounts`. */
export interface SquareMoneyAmounts {
  total_money: Money;
  tax_money: Money;
  discount_money: Money;
  tip_money: Money;
  service_charge_money: Money;
}

/** Square's `OrderReturn`: what a return order takes back from one sale (`source_order_id`). */
export interface SquareOrderReturn {
  uid: string;
  source_order_id: string;
  return_amounts: SquareMoneyAmounts;
}

export interface SquareOrder {
  id: string;
  location_id: string;
  customer_id?: string;
  source: { name: string };
  line_items: SquareOrderLineItem[];
  total_money: Money;
  total_tax_money: Money;
  total_discount_money: Money;
  total_service_charge_money: Money;
  tenders?: SquareOrderTender[];
  /**
   * Set on return orders only: a refund creates its own order (no line items, nothing sold)
   * whose returns[] names the sale, and the refund appears there, not on the sale.
   */
  returns?: SquareOrderReturn[];
  return_amounts?: SquareMoneyAmounts;
  net_amounts?: SquareMoneyAmounts;
  refunds?: SquareOrderRefund[];
  state: SquareOrderState;
  created_at: string;
  updated_at: string;
  closed_at?: string;
  version: number;
}

export interface SquarePayment {
  id: string;
  created_at: string;
  updated_at: string;
  amount_money: Money;
  total_money: Money;
  refunded_money?: Money;
  refund_ids?: string[];
  status: "COMPLETED" | "APPROVED" | "CANCELED" | "FAILED";
  source_type: "CARD" | "CASH";
  location_id: string;
  order_id: string;
  customer_id?: string;
  version_token: string;
}

export type SquareRefundStatus = "PENDING" | "COMPLETED" | "REJECTED" | "FAILED";

export interface SquareRefund {
  id: string;
  status: SquareRefundStatus;
  amount_money: Money;
  /** Absent on an unlinked refund (money sent back without a Square payment). */
  payment_id?: string;
  /** The refund's own return order (not the sale), absent on an unlinked refund. */
  order_id?: string;
  /** True when the refund is not linked to a Square payment. */
  unlinked?: boolean;
  destination_type?: "CARD" | "CASH" | "EXTERNAL";
  location_id: string;
  reason: string;
  created_at: string;
  updated_at: string;
}

/** Everything one merchant owns. Arrays are kept in creation order. */
export interface MerchantData {
  merchant: SquareMerchant;
  locations: SquareLocation[];
  customers: SquareCustomer[];
  orders: SquareOrder[];
  payments: SquarePayment[];
  refunds: SquareRefund[];
  /** Customers deleted (or merged away), with when; list and search no longer return them. */
  deletedCustomers: DeletedCustomer[];
}

export interface DeletedCustomer {
  customer: SquareCustomer;
  deleted_at: string;
  /** Set when the profile was merged into another one. */
  mergedInto?: string;
}

/** Error object of Square's `{ errors: [...] }` responses. */
export interface SquareError {
  category: "AUTHENTICATION_ERROR" | "INVALID_REQUEST_ERROR" | "RATE_LIMIT_ERROR" | "API_ERROR";
  code: string;
  detail: string;
  field?: string;
}
