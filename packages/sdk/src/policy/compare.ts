import { timingSafeEqual } from "node:crypto";

/** Compares two strings in time independent of where they differ (MACs, CSRF tokens, hashes). */
export function timingSafeEqualText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
