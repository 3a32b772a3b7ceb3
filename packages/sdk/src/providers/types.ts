export type HostNormalizer = (value: unknown) => { ok: true; value: string } | { ok: false; message: string };

export type CallbackVerifierContext = {
  clientSecret: string;
  /** The connection's validated, normalized settings. */
  settings: Record<string, unknown>;
  /** Milliseconds since the epoch (injected for tests). */
  now: number;
};

export type CallbackVerifier = (
  query: Record<string, string>,
  ctx: CallbackVerifierContext,
) => { ok: true } | { ok: false; code: string; message: string };
