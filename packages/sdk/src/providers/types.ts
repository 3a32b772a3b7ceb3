// What a provider plug-in may bring: the code quirks of one provider that cannot be
// manifest data. A connector package exports its plug-in; the host and the test runtime
// register it explicitly (ProviderRegistry), never at import time.

/** Turns what a merchant types into the provider host, or says why not (manifest `hostValidation.<setting>.normalize`). */
export type HostNormalizer = (value: unknown) => { ok: true; value: string } | { ok: false; message: string };

export type CallbackVerifierContext = {
  clientSecret: string;
  /** The connection's validated, normalized settings. */
  settings: Record<string, unknown>;
  /** Milliseconds since the epoch (injected for tests). */
  now: number;
};

/** Checks the OAuth callback query before the code is spent (manifest `oauth.callbackVerifiers`). */
export type CallbackVerifier = (query: Record<string, string>, ctx: CallbackVerifierContext) => { ok: true } | { ok: false; code: string; message: string };

/** A token shape redacted wherever it appears, registered as a secret or not. */
export type TokenPattern = {
  /** Must carry the `g` flag: every occurrence is replaced. */
  pattern: RegExp;
  replacement: string | ((match: string, ...groups: string[]) => string);
};

/** The stored token a migration looks at (never its value). */
export type StoredTokenShape = { expiresAt: number | null; hasRefreshToken: boolean };

/**
 * Moves a connection's legacy token to the provider's current kind through the token
 * endpoint (e.g. an RFC 8693 token exchange), without the merchant reconnecting.
 */
export type TokenMigration = {
  /** Why this token needs no migration, or undefined when it does. */
  skipReason(token: StoredTokenShape): string | undefined;
  /** The token-endpoint parameters that exchange `accessToken`. */
  requestParams(accessToken: string): Record<string, string>;
};

export type ProviderPlugin = {
  /** The manifest `provider` this plug-in serves (token migration, scope descriptions). */
  provider: string;
  /** By name, as manifests refer to them in `hostValidation.<setting>.normalize`. */
  hostNormalizers?: Readonly<Record<string, HostNormalizer>>;
  /** By name, as manifests list them in `oauth.callbackVerifiers`. */
  callbackVerifiers?: Readonly<Record<string, CallbackVerifier>>;
  tokenPatterns?: readonly TokenPattern[];
  tokenMigration?: TokenMigration;
  /** What each scope lets the app do, in the merchant's words (the connect page). */
  scopeDescriptions?: Readonly<Record<string, string>>;
};
