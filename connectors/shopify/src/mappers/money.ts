// Shop-currency money as integer minor units, so sums and splits never round silently.
import { decimalToMinor, minorToDecimal } from "@backfill-io/sdk";
import type { MoneyBag } from "./shopify-types.js";
import { MappingError } from "@backfill-io/oauth-helpers";

/** The shop-currency amount of a MoneyBag in minor units, checked against the receipt currency. */
export function shopMinor(bag: MoneyBag, currency: string, what: string): bigint {
  const money = bag.shopMoney;
  if (money.currencyCode !== currency) {
    throw new MappingError(`${what} is in ${money.currencyCode}, the receipt in ${currency}`);
  }
  try {
    return decimalToMinor(money.amount, currency);
  } catch {
    throw new MappingError(`${what} amount ${JSON.stringify(money.amount)} is not a ${currency} amount`);
  }
}

export function sumMinor(values: bigint[]): bigint {
  return values.reduce((a, b) => a + b, 0n);
}

export const decimal = minorToDecimal;

/** `total × part / whole` in minor units, rounded half away from zero. */
export function prorate(total: bigint, part: number, whole: number): bigint {
  if (whole === 0) return 0n;
  const numerator = total * BigInt(part);
  const denominator = BigInt(whole);
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const absRemainder = remainder < 0n ? -remainder : remainder;
  if (absRemainder * 2n >= denominator) return quotient + (numerator < 0n ? -1n : 1n);
  return quotient;
}
