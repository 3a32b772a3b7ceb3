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

export interface SquareOrderRefund {
  id: string;
  location_id: string;
  transaction_id: string;
  tender_id: string;
  created_at: string;
  reason: string;
  amount_money: Money;
  status: SquareRefundStatus;
}

export type SquareOrderState = "OPEN" | "COMPLETED" | "CANCELED";

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
  payment_id: string;
  order_id: string;
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
}

/** Error object of Square's `{ errors: [...] }` responses. */
export interface SquareError {
  category: "AUTHENTICATION_ERROR" | "INVALID_REQUEST_ERROR" | "RATE_LIMITED" | "API_ERROR";
  code: string;
  detail: string;
  field?: string;
}
