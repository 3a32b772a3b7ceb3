// The signature check applied to a route request (header names are lower-case there).
import type { RouteRequest } from "@backfill-io/sdk";
import { isValidSquareSignature, SIGNATURE_HEADER } from "./webhook-signature.js";

export function isSignatureRequest(request: RouteRequest): boolean {
  return !!request.headers[SIGNATURE_HEADER];
}

export function verifyRequest(request: RouteRequest, signatureKey: string, notificationUrl: string): boolean {
  return isValidSquareSignature({ signatureKey, notificationUrl, rawBody: request.rawBody, signature: request.headers[SIGNATURE_HEADER] });
}
