// Random state and PKCE (RFC 7636, S256). Only the state's hash is stored.
import { createHash, randomBytes } from "node:crypto";

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

export function hashState(state: string): string {
  return createHash("sha256").update(state, "utf8").digest("hex");
}

export function pkceVerifier(): string {
  return randomToken(32); // 43 characters of [A-Za-z0-9_-]
}

export function pkceChallengeS256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}
