// Shopify Customer → canonical customer.
import { customerSchema, type Customer } from "@backfill-io/sdk";
import type { ShopifyCustomer } from "./shopify-types.js";

const emailSchema = customerSchema.shape.email;

export function customerToCanonical(c: ShopifyCustomer): { customer: Customer; warnings: string[] } {
  const warnings: string[] = [];
  const rawEmail = c.defaultEmailAddress?.emailAddress ?? null;
  // An address Shopify accepted but the canonical schema does not is dropped, not the customer.
  const email = rawEmail && emailSchema.safeParse(rawEmail).success ? rawEmail : null;
  if (rawEmail && !email) warnings.push("email is not a valid address; left out");
  const a = c.defaultAddress;
  const customer: Customer = {
    customer_id: c.id,
    display_name: c.displayName || null,
    given_name: c.firstName,
    family_name: c.lastName,
    company_name: a?.company ?? null,
    email,
    phone: c.defaultPhoneNumber?.phoneNumber ?? null,
    billing_address: a
      ? {
          line1: a.address1,
          line2: a.address2,
          city: a.city,
          region: a.provinceCode ?? a.province,
          postal_code: a.zip,
          country_code: a.countryCodeV2,
        }
      : null,
    created_at: c.createdAt,
    provider_id: c.id,
    provider_updated_at: c.updatedAt,
  };
  return { customer, warnings };
}
