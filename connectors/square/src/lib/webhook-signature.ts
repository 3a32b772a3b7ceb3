// Square webhook signatures: x-square-hmacsha256-signature is base64(HMAC-SHA256(key,
// notificationUrl + body)), keyed with the subscription's signature key, over the body's
// bytes as received (a decoded string would lose a BOM or a non-UTF-8 byte). Compared in
// constant time on the decoded digests.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { RouteRequest } from "@backfill-io/sdk";

/** The signature header, lower-case as route requests carry header names. */
const SIGNATURE_HEADER = "x-square-hmacsha256-signature";

export function hasSquareSignature(request: RouteRequest): boolean {
  return !!request.headers[SIGNATURE_HEADER];
}

export function isValidSquareSignature(request: RouteRequest, signatureKey: string, notificationUrl: string): boolean {
  const signature = request.headers[SIGNATURE_HEADER];
  if (!signature) return false;
  const expected = createHmac("sha256", signatureKey).update(notificationUrl, "utf8").update(request.rawBodyBytes).digest();
  const given = Buffer.from(signature.trim(), "base64");
  // A wrong-length value cannot match; comparing lengths leaks only the (public) digest size.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
