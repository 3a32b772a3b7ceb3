// After the code exchange the host calls the manifest's postConnect route. HOW the
// route is run is not this module's business: the route runner implements
// PostConnectRunner (worker threads); tests and the CLI may use an in-process one.
import type { RouteRef } from "@backfill-io/sdk";

export type PostConnectResponse = { status: number; body: unknown };

/**
 * Runs a connector route for a connection and returns its answer. During a callback,
 * `candidate` is the authorization not stored yet: the route must use its token and
 * settings, not the store's.
 */
export type PostConnectRunner = (connectionId: string, route: RouteRef, candidate?: CandidateAuthorization) => Promise<PostConnectResponse>;

export type ProviderAccount = { id: string; name: string | null; domain: string | null };

/** The provider account identity a postConnect answer must carry, or null. */
export function providerAccountFrom(body: unknown): ProviderAccount | null {
  if (!body || typeof body !== "object") return null;
  const b = body as Record<string, unknown>;
  const id = b.providerAccountId;
  if ((typeof id !== "string" || !id) && typeof id !== "number") return null;
  const text = (v: unknown) => (typeof v === "string" && v ? v : null);
  return { id: String(id), name: text(b.providerAccountName), domain: text(b.providerAccountDomain) };
}

/** A short, redaction-safe reason from a failed route answer. */
export function routeFailureReason(response: PostConnectResponse): string {
  const err = (response.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const message = typeof err?.message === "string" ? err.message.slice(0, 300) : "";
  const code = typeof err?.code === "string" ? err.code : "";
  return [`HTTP ${response.status}`, code, message].filter(Boolean).join(" ");
}

/**
 * What a callback obtained but has not stored yet. postConnect proves the new access
 * token (and names the account) BEFORE it may replace the connection's current tokens,
 * so a reconnect that fails leaves those untouched; a PostConnectRunner therefore reads
 * the token and settings from its `candidate` argument, not from the store.
 */
export type CandidateAuthorization = {
  accessToken: string;
  expiresAt: number | null;
  settings: Record<string, unknown>;
  /** The x-secret settings the authorization started with (not stored yet either). */
  secrets: Record<string, string>;
};
