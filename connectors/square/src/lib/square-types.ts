// The parts of Square's v2 objects this connector reads (Square-Version pinned in
// square-client.ts). Every field is optional where Square may omit it.

export type SquareMoney = { amount?: number | null; currency?: string | null };

export type SquareErrorEntry = { category?: string; code?: string; detail?: string; field?: string };

export type SquareAddress = {
  address_line_1?: string;
  address_line_2?: string;
  locality?: string;
  administrative_district_level_1?: string;
  postal_code?: string;
  country?: string;
};

export type SquareCustomer = {
  id: string;
  created_at?: string;
  updated_at?: string;
  given_name?: string;
  family_name?: string;
  nickname?: string;
  company_name?: string;
  email_address?: string;
  phone_number?: string;
  address?: SquareAddress;
  reference_id?: string;
  version?: number;
};

export type SquareOrderLineItem = {
  uid?: string;
  name?: string;
  variation_name?: string;
  quantity: string;
  item_type?: string;
  base_price_money?: SquareMoney;
  variation_total_price_money?: SquareMoney;
  gross_sales_money?: SquareMoney;
  total_discount_money?: SquareMoney;
  total_tax_money?: SquareMoney;
  total_money?: SquareMoney;
};

export type SquareOrderTax = { uid?: string; name?: string; type?: "ADDITIVE" | "INCLUSIVE" | "UNKNOWN_TAX"; percentage?: string; applied_money?: SquareMoney; scope?: string };

export type SquareOrder = {
  id: string;
  location_id?: string;
  reference_id?: string;
  customer_id?: string;
  state?: "OPEN" | "COMPLETED" | "CANCELED" | "DRAFT";
  version?: number;
  created_at?: string;
  updated_at?: string;
  closed_at?: string;
  line_items?: SquareOrderLineItem[];
  taxes?: SquareOrderTax[];
  total_money?: SquareMoney;
  total_tax_money?: SquareMoney;
  total_discount_money?: SquareMoney;
  total_tip_money?: SquareMoney;
  total_service_charge_money?: SquareMoney;
  rounding_adjustment?: { uid?: string; name?: string; amount_money?: SquareMoney };
  /** Set on return and exchange orders: what each return takes back, from which sale. */
  returns?: SquareOrderReturn[];
};

export type SquareOrderReturn = { uid?: string; source_order_id?: string | null; return_amounts?: { total_money?: SquareMoney } };

export type SquarePaymentRefund = {
  id: string;
  status?: "PENDING" | "COMPLETED" | "REJECTED" | "FAILED";
  /** True for money sent back without a Square payment: no payment_id, no sale to link to. */
  unlinked?: boolean;
  location_id?: string;
  amount_money?: SquareMoney;
  payment_id?: string;
  /** The refund's own return order (not the sale): its returns[].source_order_id is the sale. */
  order_id?: string;
  reason?: string;
  created_at?: string;
  updated_at?: string;
};

export type SquarePayment = { id: string; order_id?: string; customer_id?: string; status?: string; amount_money?: SquareMoney; updated_at?: string };

export type SquareLocation = { id: string; name?: string; status?: "ACTIVE" | "INACTIVE"; currency?: string; timezone?: string; country?: string; business_name?: string };

export type SquareMerchant = {
  id: string;
  business_name?: string;
  country?: string;
  language_code?: string;
  currency?: string;
  status?: string;
  main_location_id?: string;
  created_at?: string;
};
