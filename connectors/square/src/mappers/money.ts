// Square money is an integer in the currency's smallest unit ({ amount: 1500, currency:
// "USD" } is 15.00 USD; 1500 JPY is 1500 JPY; 1500 KWD is 1.500 KWD). Converted with the
// currency's ISO 4217 exponent from the SDK, never by dividing by 100.
import { isCurrencyCode, minorToDecimal } from "@backfill-io/sdk";
import type { SquareMoney } from "../lib/square-types.js";
import { MappingError } from "@backfill-io/oauth-helpers";

/** Minor units as BigInt; a missing amount is 0. Checks the currency matches. */
export function minor(money: SquareMoney | null | undefined, currency: string, objectId: string): bigint {
  if (!money || money.amount === undefined || money.amount === null) return 0n;
  if (money.currency && money.currency !== currency) {
    throw new MappingError(`${objectId}: mixes currencies ${currency} and ${money.currency}`);
  }
  if (!Number.isSafeInteger(money.amount)) throw new MappingError(`${objectId}: amount ${money.amount} is not an integer of minor units`);
  return BigInt(money.amount);
}

export function decimal(amountMinor: bigint, currency: string): string {
  return minorToDecimal(amountMinor, currency);
}

export function currencyOf(objectId: string, ...candidates: (SquareMoney | null | undefined)[]): string {
  const code = candidates.find((m) => m?.currency)?.currency;
  if (!code || !isCurrencyCode(code)) throw new MappingError(`${objectId}: has no ISO 4217 currency (${code ?? "none"})`);
  return code;
}
