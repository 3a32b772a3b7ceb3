// Connect sessions (the model Nango uses): the only way to start an authorization from a
// browser. An operator holding a host API key mints one for an end user; its token is
// short-lived, single-use and stored only as a hash. The session says which connectors
// may be connected, for whom (end user, tags), with which preset settings, and, for a
// reconnect, which connection. GET /oauth/start without a live session writes nothing.
import { randomUUID } from "node:crypto";
import { registerSecret, type ConnectorManifest } from "@backfill-io/sdk";
import { isSecretSetting } from "@backfill-io/sdk/policy";
import { z } from "zod";
import { decodeSessionSecretSettings, type ConnectSessionRow } from "../store/repositories/connect-sessions.js";
import type { EndUser, Store } from "../store/store.js";
import type { Vault } from "../vault/vault.js";
import { oauthFlowError } from "./errors.js";
import { hashState, randomToken } from "./pkce.js";
import { refuseUnknownSettings } from "./settings-names.js";
import { columnAad } from "../store/encrypted-columns.js";

export const CONNECT_SESSION_TTL_SECONDS = 30 * 60;
export const CONNECT_SESSION_MAX_TTL_SECONDS = 24 * 3600;
/** Session tokens carry a prefix, so a leaked one is recognisable (and redacted). */
export const CONNECT_SESSION_TOKEN_PREFIX = "bcs_";

const endUserSchema = z.strictObject({
  id: z.string().min(1).max(200),
  email: z.string().email().max(320).optional(),
  displayName: z.string().min(1).max(200).optional(),
});

const tagsSchema = z.record(z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, "tag names are 1-64 letters, digits, _ . : -"), z.string().max(500));

/** The body of POST /api/connect/sessions. */
export const connectSessionRequestSchema = z.strictObject({
  /** One connector key, or several the merchant may choose from. */
  connectors: z
    .array(z.string().regex(/^[a-z][a-z0-9_-]*$/))
    .min(1)
    .max(50),
  endUser: endUserSchema,
  tags: tagsSchema.optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  returnUrl: z.string().url().optional(),
  ttlSeconds: z.number().int().min(60).max(CONNECT_SESSION_MAX_TTL_SECONDS).optional(),
});

/** The body of POST /api/connect/sessions/reconnect. */
export const reconnectSessionRequestSchema = z.strictObject({
  connectionId: z.string().min(1).max(100),
  endUser: endUserSchema.optional(),
  tags: tagsSchema.optional(),
  settings: z.record(z.string(), z.unknown()).optional(),
  returnUrl: z.string().url().optional(),
  ttlSeconds: z.number().int().min(60).max(CONNECT_SESSION_MAX_TTL_SECONDS).optional(),
});

export type ConnectSessionRequest = z.infer<typeof connectSessionRequestSchema>;
export type ReconnectSessionRequest = z.infer<typeof reconnectSessionRequestSchema>;

/** Parses an API body with a schema; every problem named by its path. */
export function parseSessionRequest<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`);
  throw oauthFlowError("invalid_connect_session_request", `invalid connect session request: ${problems.join("; ")}`, { details: { problems } });
}

export type ConnectSessionDeps = {
  store: Store;
  vault: Vault;
  /** The manifest of an installed connector, or undefined. */
  manifest: (key: string) => Promise<ConnectorManifest | undefined>;
  /** Origins (scheme://host[:port]) a session's returnUrl may point at. */
  returnUrlOrigins?: readonly string[];
};

export type MintedConnectSession = { id: string; token: string; expiresAt: number };

/** A session decoded for the start of a flow. */
export type ConnectSession = {
  id: string;
  connectorKeys: string[];
  endUser: EndUser | null;
  tags: Record<string, string>;
  settings: Record<string, unknown>;
  connectionId: string | null;
  returnUrl: string | null;
};

function checkReturnUrl(returnUrl: string | undefined, origins: readonly string[] = []): string | null {
  if (returnUrl === undefined) return null;
  const url = new URL(returnUrl);
  if (!origins.includes(url.origin)) {
    throw oauthFlowError("return_url_not_allowed", `returnUrl ${url.origin} is not an allowed origin`, {
      fix: "add the origin to the host's return URL allowlist",
    });
  }
  return url.toString();
}

/**
 * The preset settings of a session allowing `manifests`: every name must be a setting of each
 * of them; a setting any of them marks x-secret is stored encrypted. Split and encrypted once.
 */
function presetSettings(deps: ConnectSessionDeps, manifests: readonly ConnectorManifest[], settings: Record<string, unknown>, sessionId: string) {
  for (const manifest of manifests) refuseUnknownSettings(manifest, Object.keys(settings));
  const plain: Record<string, unknown> = {};
  const secret: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(settings)) (manifests.some((m) => isSecretSetting(m, name)) ? secret : plain)[name] = value;
  registerSecret(...Object.values(secret).filter((v): v is string => typeof v === "string"));
  return {
    settings: plain,
    secret_settings_enc: Object.keys(secret).length ? deps.vault.encrypt(JSON.stringify(secret), columnAad("connect_sessions.secret_settings_enc", { id: sessionId })) : null,
  };
}

async function requireManifest(deps: ConnectSessionDeps, key: string): Promise<ConnectorManifest> {
  const manifest = await deps.manifest(key);
  if (!manifest) throw oauthFlowError("connector_not_found", `connector ${key} is not installed`);
  return manifest;
}

async function insertSession(
  deps: ConnectSessionDeps,
  p: {
    connectorKeys: string[];
    endUser: EndUser | null;
    tags: Record<string, string>;
    settings: { settings: Record<string, unknown>; secret_settings_enc: string | null };
    id: string;
    connectionId: string | null;
    returnUrl: string | null;
    ttlSeconds: number | undefined;
    createdBy: string | null;
  },
): Promise<MintedConnectSession> {
  // Not registered with the redactor here: the answer that mints it must carry it, once.
  // It is registered when redeemed, so it never reaches a log after that.
  const token = `${CONNECT_SESSION_TOKEN_PREFIX}${randomToken(32)}`;
  const expiresAt = deps.store.now() + (p.ttlSeconds ?? CONNECT_SESSION_TTL_SECONDS) * 1000;
  await deps.store.connectSessions.insert({
    id: p.id,
    token_hash: hashState(token),
    connector_keys: p.connectorKeys,
    end_user: p.endUser,
    tags: p.tags,
    ...p.settings,
    connection_id: p.connectionId,
    return_url: p.returnUrl,
    created_by: p.createdBy,
    expires_at: expiresAt,
  });
  await deps.store.auditLog.append("connect_session.created", {
    actor: p.createdBy ?? "cli",
    connectionId: p.connectionId,
    detail: { session: p.id, connectors: p.connectorKeys, endUser: p.endUser?.id ?? null },
  });
  await deps.store.connectSessions.prune();
  return { id: p.id, token, expiresAt };
}

const newSessionId = () => `cs_${randomUUID().replaceAll("-", "")}`;

/** Mints a session for a new connection. Preset settings must be settings of every allowed connector. */
export async function createConnectSession(deps: ConnectSessionDeps, request: ConnectSessionRequest, createdBy: string | null): Promise<MintedConnectSession> {
  const id = newSessionId();
  const keys = [...new Set(request.connectors)];
  const settings = request.settings ?? {};
  const manifests: ConnectorManifest[] = [];
  for (const key of keys) manifests.push(await requireManifest(deps, key));
  const preset = presetSettings(deps, manifests, settings, id);
  return insertSession(deps, {
    id,
    connectorKeys: keys,
    endUser: request.endUser,
    tags: request.tags ?? {},
    settings: preset,
    connectionId: null,
    returnUrl: checkReturnUrl(request.returnUrl, deps.returnUrlOrigins),
    ttlSeconds: request.ttlSeconds,
    createdBy,
  });
}

/** Mints a session that reconnects an existing connection (same connector, same provider account). */
export async function createReconnectSession(deps: ConnectSessionDeps, request: ReconnectSessionRequest, createdBy: string | null): Promise<MintedConnectSession> {
  const connection = await deps.store.connections.get(request.connectionId);
  if (!connection) throw oauthFlowError("connection_not_found", `no connection ${request.connectionId}`);
  const id = newSessionId();
  const manifest = await requireManifest(deps, connection.connector_key);
  const current = connection.end_user;
  return insertSession(deps, {
    id,
    connectorKeys: [connection.connector_key],
    endUser: request.endUser ?? current,
    tags: request.tags ?? connection.tags,
    settings: presetSettings(deps, [manifest], request.settings ?? {}, id),
    connectionId: connection.id,
    returnUrl: checkReturnUrl(request.returnUrl, deps.returnUrlOrigins),
    ttlSeconds: request.ttlSeconds,
    createdBy,
  });
}

/** The live session of `token` (unused, unexpired), decoded; it is consumed when the flow starts. */
export async function findConnectSession(store: Store, vault: Vault, token: string | undefined): Promise<ConnectSession> {
  if (!token) {
    throw oauthFlowError("connect_session_required", "starting a connection needs a connect session", {
      fix: "mint one with POST /api/connect/sessions (host API key) and open its connectUrl",
    });
  }
  registerSecret(token);
  const row = token.startsWith(CONNECT_SESSION_TOKEN_PREFIX) ? await store.connectSessions.findByTokenHash(hashState(token)) : undefined;
  if (!row) throw oauthFlowError("connect_session_invalid", "the connect session is not valid", { fix: "ask the app that sent you here for a new link" });
  if (row.used_at !== null) throw oauthFlowError("connect_session_used", "the connect session was already used", { fix: "ask the app that sent you here for a new link" });
  if (row.expires_at <= store.now()) throw oauthFlowError("connect_session_expired", "the connect session expired", { fix: "ask the app that sent you here for a new link" });
  return decodeSession(row, vault);
}

function decodeSession(row: ConnectSessionRow, vault: Vault): ConnectSession {
  const secret = row.secret_settings_enc ? decodeSessionSecretSettings(row, vault.decrypt(row.secret_settings_enc, columnAad("connect_sessions.secret_settings_enc", row))) : {};
  registerSecret(...Object.values(secret).filter((v): v is string => typeof v === "string"));
  return {
    id: row.id,
    connectorKeys: row.connector_keys,
    endUser: row.end_user,
    tags: row.tags,
    settings: { ...row.settings, ...secret },
    connectionId: row.connection_id,
    returnUrl: row.return_url,
  };
}
