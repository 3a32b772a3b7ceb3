// Square webhook signatures: x-square-hmacsha256-signature is base64(HMAC-SHA256(key,
// notificationUrl + rawBody)), keyed with the subscription's signature key. Compared in
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
  const expected = createHmac("sha256", signatureKey).update(notificationUrl + request.rawBody, "utf8").digest();
  const given = Buffer.from(signature.trim(), "base64");
  // A wrong-length value cannot match; comparing lengths leaks only the (public) digest size.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
