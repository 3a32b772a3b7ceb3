// Square webhook signatures: x-square-hmacsha256-signature is base64(HMAC-SHA256(key,
// notificationUrl + rawBody)), keyed with the subscription's signature key. Compared in
// constant time on the decoded digests.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-square-hmacsha256-signature";

export function squareSignature(signatureKey: string, notificationUrl: string, rawBody: string): string {
  return createHmac("sha256", signatureKey).update(notificationUrl + rawBody, "utf8").digest("base64");
}

export function isValidSquareSignature(opts: { signatureKey: string; notificationUrl: string; rawBody: string; signature: string | undefined }): boolean {
  if (!opts.signature) return false;
  const expected = createHmac("sha256", opts.signatureKey).update(opts.notificationUrl + opts.rawBody, "utf8").digest();
  const given = Buffer.from(opts.signature.trim(), "base64");
  // A wrong-length value cannot match; comparing lengths leaks only the (public) digest size.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}
