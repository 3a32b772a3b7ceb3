// The connector manifest (backfill.config.ts) as one zod schema. The exported
// TypeScript types are inferred from it, so the type and the validation never drift.
import { z } from "zod";
import { streamScheduleSchema } from "./schedule.js";
import { ENTITY_NAMES } from "../entities/registry.js";

const routePath = z.string().regex(/^\/[a-z0-9_\-/]+$/i, "must be a route path like /setup/test_connection");
const httpMethod = z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]);

export const routeRefSchema = z.strictObject({ route: routePath, method: httpMethod });

export const entityGrantSchema = z.array(z.enum(["read", "write"])).min(1, "must grant at least one of read, write");

export const permissionsSchema = z.strictObject({
  /** URL patterns the connector may call: https://host/path with `*` as whole host labels or a path suffix. */
  http: z.array(z.string().min(1)).default([]),
  entities: z.partialRecord(z.enum(ENTITY_NAMES), entityGrantSchema).default({}),
  secrets: z.record(z.string().min(1), z.array(z.literal("read")).min(1)).default({}),
  /**
   * Large provider files (Files.download / Files.readLines), e.g. a provider bulk export's
   * JSONL result. Absent: the connector may not download files. `maxBytes` is the largest
   * file one download may store (the route's own maxBytes may only be smaller).
   */
  files: z.strictObject({ maxBytes: z.number().int().positive() }).optional(),
});

export const settingPropertySchema = z.looseObject({
  type: z.enum(["string", "number", "integer", "boolean"]).optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  enum: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
  default: z.unknown().optional(),
  "x-secret": z.boolean().optional(),
  "x-placeholder": z.string().optional(),
});

export const settingsSchemaSchema = z.looseObject({
  type: z.literal("object").optional(),
  required: z.array(z.string()).default([]),
  properties: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/, "must be snake_case"), settingPropertySchema).default({}),
});

export const hostValidationRuleSchema = z.strictObject({
  /** The normalized host must end with this suffix, at a label boundary. */
  suffix: z.string().startsWith(".", "must start with a dot, e.g. .example-shop.com").optional(),
  /** The normalized host must be one of these. */
  allowedHosts: z.array(z.string().min(1)).min(1).optional(),
  /** A named normalizer of a registered provider plug-in (its `hostNormalizers`). */
  normalize: z.string().optional(),
});

export const tokenPathsSchema = z.strictObject({
  accessTokenPath: z.string().min(1).default("access_token"),
  refreshTokenPath: z.string().min(1).optional(),
  expiresInPath: z.string().min(1).optional(),
  /** For providers that answer an ISO-8601 `expires_at` instead of `expires_in`. */
  expiresAtPath: z.string().min(1).optional(),
  /** Refresh-token lifetime in seconds, when the provider sends it (e.g. refresh_token_expires_in). */
  refreshExpiresInPath: z.string().min(1).optional(),
  /** Refresh-token expiry as an ISO-8601 time (e.g. refresh_token_expires_at). */
  refreshExpiresAtPath: z.string().min(1).optional(),
  scopePath: z.string().min(1).optional(),
  tokenTypePath: z.string().min(1).optional(),
  /** Extra response fields kept as non-secret provider account metadata (e.g. a merchant_id). */
  accountIdPath: z.string().min(1).optional(),
});

/**
 * What the host puts in a field of a custom revocation request. `grant_token`: the refresh
 * token when there is one (revoking it revokes the grant, RFC 7009 2.1), else the access token.
 */
export const REVOCATION_FIELD_VALUES = ["client_id", "client_secret", "access_token", "refresh_token", "grant_token"] as const;

/** A provider's revocation endpoint that is not RFC 7009, as data (no code in the host). */
export const customRevocationSchema = z.strictObject({
  method: z.enum(["POST", "DELETE"]).default("POST"),
  encoding: z.enum(["form", "json"]).default("form"),
  /** Body field name → the value the host fills in. */
  body: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), z.enum(REVOCATION_FIELD_VALUES)),
  /** Sends `Authorization: <scheme> <client secret>` (e.g. "Client"); omitted: no Authorization header. */
  clientSecretAuthorizationScheme: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/)
    .optional(),
});

export const oauthSchema = z.strictObject({
  type: z.literal("authorization_code"),
  authorizationUrlTemplate: z.string().min(1),
  tokenUrlTemplate: z.string().min(1),
  /**
   * The authorization server's issuer identifier (RFC 9207), a template like the URLs. When
   * declared, the callback must carry `iss` equal to it; when not, an `iss` the callback does
   * carry must be the authorization URL's origin. Either way a code is never exchanged after a
   * foreign `iss` (mix-up, RFC 9700 §4.4).
   */
  issuer: z.string().min(1).optional(),
  /** Where to revoke tokens on disconnect, when the provider has such an endpoint. */
  revocationUrlTemplate: z.string().min(1).optional(),
  /**
   * The revocation request's shape: RFC 7009 (form `token` + `token_type_hint`, client
   * authentication as for the token endpoint), or a provider's own shape described as data.
   */
  revocationRequest: z.union([z.literal("rfc7009"), customRevocationSchema]).default("rfc7009"),
  scopes: z.array(z.string().min(1)).default([]),
  /**
   * Scopes requested with `scopes` whose absence from the grant does not fail the connect (a
   * protected scope the provider may not have approved for the app): the sync runs without
   * it, and the connection and every run of the named streams say what is missing and why.
   */
  optionalScopes: z
    .array(
      z.strictObject({
        scope: z.string().min(1),
        /** What is not available without it, e.g. "orders older than 60 days are not available". */
        withoutIt: z.string().min(1),
        /** The streams it affects. */
        streams: z.array(z.string().min(1)).default([]),
      }),
    )
    .default([]),
  /** How scopes are joined in the authorization URL: RFC 6749 a space, some providers ",". */
  scopeSeparator: z.string().min(1).max(3).default(" "),
  accessType: z.enum(["offline", "online"]).optional(),
  pkce: z.boolean().default(false),
  requiredSettings: z.array(z.string()).default([]),
  client: z.strictObject({
    credentialKey: z.string().regex(/^[a-z][a-z0-9_-]*$/i, "must be an identifier like acme_public_app"),
    /** client_secret_post (in the body, RFC 6749 2.3.1), client_secret_basic (HTTP Basic) or none (PKCE public client). */
    authMethod: z.enum(["client_secret_post", "client_secret_basic", "none"]).default("client_secret_post"),
    /**
     * A secret name (declared in permissions.secrets) that, when the connection has no value
     * for it, reads as this app's client secret (providers that sign webhooks with the app's secret).
     */
    webhookSecret: z.string().min(1).optional(),
  }),
  token: tokenPathsSchema.default({ accessTokenPath: "access_token" }),
  /** Token request body: form-urlencoded per RFC 6749, or JSON. */
  tokenRequestEncoding: z.enum(["form", "json"]).default("form"),
  /** Extra parameters sent with the code exchange and refresh (e.g. { expiring: "1" }). */
  tokenRequestParams: z.record(z.string(), z.string()).default({}),
  /** Extra parameters on the authorization URL (e.g. { session: "false" }). */
  authorizationParams: z.record(z.string(), z.string()).default({}),
  refresh: z
    .strictObject({
      enabled: z.boolean(),
      /**
       * The provider replaces the refresh token on every use (rotating refresh tokens, many
       * PKCE clients): a refresh answer without a new one leaves none (the old one is spent), and the
       * connection needs reauthorization before the access token lapses.
       */
      rotatesRefreshToken: z.boolean().default(false),
    })
    .default({ enabled: false, rotatesRefreshToken: false }),
  postConnect: routeRefSchema.optional(),
  /** Named verifiers of registered provider plug-ins (their `callbackVerifiers`) the host runs on the callback query before exchanging the code. */
  callbackVerifiers: z.array(z.string()).default([]),
  hostValidation: z.record(z.string(), hostValidationRuleSchema).default({}),
});

export const connectionSchema = z.strictObject({
  testConnection: routeRefSchema.optional(),
  oauth: oauthSchema.optional(),
  settingsSchema: settingsSchemaSchema.default({ required: [], properties: {} }),
});

/**
 * Routes the host serves without its API key. A route's own `config.auth` asks for
 * "public" or "webhook"; the manifest must declare it here too, so a reviewer sees every
 * anonymous entry point in one place and a route file cannot open itself up unnoticed.
 */
export const anonymousRoutesSchema = z.strictObject({
  /** Anyone may call these (`config.auth: "public"`), e.g. an app's landing or install check. */
  public: z.array(routePath).default([]),
  /** Providers call these (`config.auth: "webhook"`); the route verifies the provider's signature. */
  webhooks: z.array(routePath).default([]),
});

export const manifestSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_-]*$/, "must be lowercase letters, digits, - or _"),
  name: z.string().min(1),
  provider: z.string().min(1).optional(),
  kind: z.enum(["source", "destination"]).default("source"),
  version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, "must be a semver version like 0.1.0"),
  description: z.string().optional(),
  permissions: permissionsSchema.default({ http: [], entities: {}, secrets: {} }),
  connection: connectionSchema.default({ settingsSchema: { required: [], properties: {} } }),
  /** Sync streams: the name, the route that serves it, the entity kind it writes and how often it syncs. */
  streams: z
    .array(z.strictObject({ name: z.string().regex(/^[a-z][a-z0-9_]*$/), route: routePath, entity: z.string().optional(), schedule: streamScheduleSchema.optional() }))
    .default([]),
  /** Routes reachable without a host API key (every other route needs one). */
  routes: anonymousRoutesSchema.default({ public: [], webhooks: [] }),
});

export type ConnectorManifestInput = z.input<typeof manifestSchema>;
export type ConnectorManifest = z.output<typeof manifestSchema>;
export type OAuthConfig = z.output<typeof oauthSchema>;
export type HostValidationRule = z.output<typeof hostValidationRuleSchema>;
export type RouteRef = z.output<typeof routeRefSchema>;
export type SettingsSchema = z.output<typeof settingsSchemaSchema>;
export type AnonymousRoutes = z.output<typeof anonymousRoutesSchema>;
export type CustomRevocation = z.output<typeof customRevocationSchema>;
