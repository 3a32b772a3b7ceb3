// Money as decimal strings in the currency's own precision (ISO 4217 minor units):
// JPY has 0 decimals, USD 2, KWD 3. Integer arithmetic on BigInt minor units only.

const ZERO_DECIMAL = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"];
const THREE_DECIMAL = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const FOUR_DECIMAL = ["CLF", "UYW"];

let knownCurrencies: Set<string> | undefined;

export function isCurrencyCode(code: string): boolean {
  knownCurrencies ??= new Set(Intl.supportedValuesOf("currency"));
  return /^[A-Z]{3}$/.test(code) && knownCurrencies.has(code);
}

/** Number of minor-unit digits of an ISO 4217 currency. */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.includes(code)) return 0;
  if (THREE_DECIMAL.includes(code)) return 3;
  if (FOUR_DECIMAL.includes(code)) return 4;
  return 2;
}

/** Formats an integer amount in minor units ("4200" USD) as a decimal string ("42.00"). */
export function minorToDecimal(minor: bigint | number | string, currency: string): string {
  const exp = currencyExponent(currency);
  let value = BigInt(minor);
  const negative = value < 0n;
  if (negative) value = -value;
  const digits = value.toString().padStart(exp + 1, "0");
  const whole = digits.slice(0, digits.length - exp);
  const frac = exp ? "." + digits.slice(digits.length - exp) : "";
  return `${negative ? "-" : ""}${whole}${frac}`;
}

/**
 * Parses a decimal amount ("42.5", "42.50", "1000") into minor units of `currency`.
 * Throws when it has more decimals than the currency allows (no silent rounding).
 */
export function decimalToMinor(amount: string | number, currency: string): bigint {
  const text = typeof amount === "number" ? String(amount) : amount.trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) throw new Error(`not a decimal amount: ${JSON.stringify(text)}`);
  const [, sign, whole, fracRaw = ""] = match;
  const exp = currencyExponent(currency);
  const frac = fracRaw.replace(/0+$/, "");
  if (frac.length > exp) throw new Error(`${text} has more decimals than ${currency} allows (${exp})`);
  const minor = BigInt(whole! + frac.padEnd(exp, "0"));
  return sign ? -minor : minor;
}

/** Normalizes any decimal amount to the currency's precision: "42.0" USD → "42.00", "1000.0" JPY → "1000". */
export function formatMoney(amount: string | number, currency: string): string {
  return minorToDecimal(decimalToMinor(amount, currency), currency);
}

/** True when `amount` is written with exactly the currency's number of decimals. */
export function isMoneyInPrecision(amount: string, currency: string): boolean {
  const exp = currencyExponent(currency);
  const pattern = exp === 0 ? /^-?\d+$/ : new RegExp(`^-?\\d+\\.\\d{${exp}}$`);
  return pattern.test(amount);
}
