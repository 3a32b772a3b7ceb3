import { createHash } from "node:crypto";

/** A short, non-reversible label for a secret, to show that it changed without showing it. */
export function fingerprint(secret: string | null | undefined): string {
  if (!secret) return "-";
  return `sha256:${createHash("sha256").update(secret).digest("hex").slice(0, 10)}`;
}
