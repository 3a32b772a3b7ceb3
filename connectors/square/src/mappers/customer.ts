// Square Customer → canonical customer.
import type { Customer } from "@backfill-io/sdk";
import type { SquareAddress, SquareCustomer } from "../lib/square-types.js";

// Square accepts loosely formed addresses; the canonical schema wants a real one or none.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function address(a: SquareAddress | undefined): Customer["billing_address"] {
  if (!a) return null;
  const country = a.country && /^[A-Z]{2}$/.test(a.country) && a.country !== "ZZ" ? a.country : null;
  const mapped = {
    line1: a.address_line_1 ?? null,
    line2: a.address_line_2 ?? null,
    city: a.locality ?? null,
    region: a.administrative_district_level_1 ?? null,
    postal_code: a.postal_code ?? null,
    country_code: country,
  };
  return Object.values(mapped).some((v) => v !== null) ? mapped : null;
}

function displayName(c: SquareCustomer): string | null {
  const person = [c.given_name, c.family_name].filter(Boolean).join(" ");
  return person || c.company_name || c.nickname || null;
}

export function mapCustomer(c: SquareCustomer): Customer {
  return {
    customer_id: c.id,
    display_name: displayName(c),
    given_name: c.given_name ?? null,
    family_name: c.family_name ?? null,
    company_name: c.company_name ?? null,
    email: c.email_address && EMAIL.test(c.email_address) ? c.email_address : null,
    phone: c.phone_number ?? null,
    billing_address: address(c.address),
    ...(c.created_at ? { created_at: c.created_at } : {}),
    provider_id: c.id,
    ...(c.updated_at ? { provider_updated_at: c.updated_at } : {}),
  };
}

export const customerIdempotencyKey = (c: { customer_id: string }) => `square:customer:${c.customer_id}`;
