// Everything the emulator remembers: registered apps, shops and their data, OAuth grants,
// tokens, rate-limit buckets and fault settings. Pure data plus small operations; no HTTP.
import { randomBytes } from "node:crypto";
import { advanceShop, generateShop, type AdvanceOptions, type AdvanceResult, type ShopRecord, type ShopSeed } from "./data.js";
import { FaultPlan, type FaultOptions } from "./faults.js";
import { BulkOperations, type BulkOptions } from "./bulk/operations.js";
import { customerDeletePayload, orderDeletePayload } from "./webhooks.js";

export interface ShopifyAppRegistration {
  clientId: string;
  clientSecret: string;
  /** Scopes granted when an authorize request names none. */
  scopes?: string[];
  /** Allowed redirect URIs (exact match); any URI is accepted when omitted. */
  redirectUris?: string[];
  /**
   * Protected scopes Shopify has not approved for this app (e.g. read_all_orders): asked for,
   * they are silently left out of the grant, as Shopify does.
   */
  unapprovedScopes?: string[];
}

export interface ShopifyEmulatorOptions {
  apps?: ShopifyAppRegistration[];
  /** Shop handles (`acme` for acme.myshopify.com) or per-shop seeds. */
  shops?: Array<string | ShopSeed>;
  seed?: number;
  /** Default record counts per shop. */
  customers?: number;
  orders?: number;
  /** The shop for requests that name none (no shop Host, X-Forwarded-Host or `shop` parameter). */
  defaultShop?: string;
  /** Skip the consent page and redirect straight back with a code. */
  autoApprove?: boolean;
  /** Milliseconds since the epoch; inject to test expiry and the leaky bucket. */
  clock?: () => number;
  faults?: FaultOptions;
  /** Supported Admin API versions; an older (retired) one is served by the oldest of these, others get 404. */
  apiVersions?: string[];
  throttle?: { maximumAvailable?: number; restoreRate?: number; maxQueryCost?: number };
  /** Webhook API version header value. */
  webhookApiVersion?: string;
  /** Bulk query operations: processing rate (objects a second) and concurrent jobs per shop and app. */
  bulk?: BulkOptions;
}

export interface AuthorizationCode {
  shop: string;
  clientId: string;
  scope: string;
  online: boolean;
  expiresAt: number;
}

export interface AccessTokenRecord {
  shop: string;
  clientId: string;
  scope: string;
  /** null for non-expiring offline tokens. */
  expiresAt: number | null;
  online: boolean;
  revoked: boolean;
}

export interface RefreshTokenRecord {
  shop: string;
  clientId: string;
  scope: string;
  expiresAt: number;
  /** When it was first spent: it may be retried until its replacement is used (30 days at most). */
  firstUsedAt: number | null;
  revoked: boolean;
}

/** What a token exchange issued for a legacy token, returned again to a retry within 7 days. */
export interface TokenExchangeRecord {
  issuedAt: number;
  accessToken: string;
  refreshToken: string;
}

export interface RequestLogEntry {
  method: string;
  /** Path only: a query string could carry a client secret. */
  path: string;
  shop: string | null;
  status: number;
  at: number;
}

export interface Bucket {
  available: number;
  updatedAt: number;
}

export const CODE_TTL_MS = 60_000;
export const EXPIRING_ACCESS_TOKEN_TTL_S = 3600;
export const REFRESH_TOKEN_TTL_S = 7_776_000;
export const ONLINE_TOKEN_TTL_S = 86_400;
/** A spent refresh token stays retryable this long after its first use, until its replacement is used. */
export const REFRESH_RETRY_WINDOW_MS = 30 * 86_400_000;
/** A migration token exchange retried with the same legacy token returns the same pair this long. */
export const TOKEN_EXCHANGE_RETRY_WINDOW_MS = 7 * 86_400_000;

export const DEFAULT_API_VERSIONS = ["2026-10"];

export function secureToken(prefix: string): string {
  return `${prefix}${randomBytes(16).toString("hex")}`;
}

export class ShopifyEmulatorState {
  readonly apps = new Map<string, ShopifyAppRegistration>();
  readonly shops = new Map<string, ShopRecord>();
  readonly codes = new Map<string, AuthorizationCode>();
  readonly accessTokens = new Map<string, AccessTokenRecord>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Legacy (non-expiring) token → the pair its migration issued. */
  readonly tokenExchanges = new Map<string, TokenExchangeRecord>();
  private lostTokenResponses = 0;
  readonly buckets = new Map<string, Bucket>();
  readonly apiVersions: ReadonlySet<string>;
  readonly autoApprove: boolean;
  readonly defaultShop: string | undefined;
  readonly maximumAvailable: number;
  readonly restoreRate: number;
  readonly maxQueryCost: number;
  readonly webhookApiVersion: string;
  readonly faults: FaultPlan;
  readonly now: () => number;
  readonly bulk: BulkOperations;
  /** Query cost points charged per shop (actualQueryCost of every answered query), for benchmarks. */
  readonly pointsSpent = new Map<string, number>();
  /** Storage downloads served: path and whether the client sent a Shopify token (it never should). */
  readonly storageDownloads: { path: string; presentedToken: boolean }[] = [];
  private readonly seed: number;
  private readonly defaultCounts: { customers: number; orders: number };

  constructor(options: ShopifyEmulatorOptions = {}) {
    this.now = options.clock ?? Date.now;
    this.seed = options.seed ?? 1;
    this.defaultCounts = { customers: options.customers ?? 20, orders: options.orders ?? 50 };
    this.autoApprove = options.autoApprove ?? false;
    this.defaultShop = options.defaultShop;
    this.apiVersions = new Set(options.apiVersions ?? DEFAULT_API_VERSIONS);
    this.maximumAvailable = options.throttle?.maximumAvailable ?? 2000;
    this.restoreRate = options.throttle?.restoreRate ?? 100;
    this.maxQueryCost = options.throttle?.maxQueryCost ?? 1000;
    this.webhookApiVersion = options.webhookApiVersion ?? [...this.apiVersions].sort().at(-1) ?? "2026-10";
    this.faults = new FaultPlan(this.seed, options.faults);
    this.bulk = new BulkOperations(this.now, options.bulk);
    for (const app of options.apps ?? []) this.registerApp(app);
    for (const shop of options.shops ?? []) this.addShop(shop);
  }

  registerApp(app: ShopifyAppRegistration): void {
    this.apps.set(app.clientId, app);
  }

  addShop(seed: string | ShopSeed): ShopRecord {
    const shopSeed = typeof seed === "string" ? { handle: seed } : seed;
    const shop = generateShop(shopSeed, { seed: this.seed, ...this.defaultCounts });
    this.shops.set(shop.handle, shop);
    return shop;
  }

  shop(handle: string): ShopRecord {
    const shop = this.shops.get(handle);
    if (!shop) throw new Error(`unknown shop ${handle}`);
    return shop;
  }

  /**
   * Change some records and bump their updatedAt, as if merchants kept working:
   * `advance({ orders: 3 })` (first shop) or `advance("acme", { orders: 3 })`.
   */
  advance(shopOrOptions: string | (AdvanceOptions & { shop?: string }), maybeOptions: AdvanceOptions = {}): AdvanceResult {
    const options = typeof shopOrOptions === "string" ? maybeOptions : shopOrOptions;
    const handle = typeof shopOrOptions === "string" ? shopOrOptions : (shopOrOptions.shop ?? [...this.shops.keys()][0]);
    if (handle === undefined) throw new Error("no shops");
    return advanceShop(this.shop(handle), options, this.now());
  }

  /**
   * Delete a customer or an order as a merchant does in the admin: it is gone from every
   * query from now on. Returns the payload of the topic Shopify sends for it
   * (customers/delete, orders/delete), for deliverWebhook.
   */
  deleteRecord(handle: string, type: "customer" | "order", id: number): { topic: "customers/delete" | "orders/delete"; payload: Record<string, unknown> } {
    const shop = this.shop(handle);
    const list: { id: number }[] = type === "customer" ? shop.customers : shop.orders;
    const index = list.findIndex((r) => r.id === id);
    if (index < 0) throw new Error(`unknown ${type} ${id} in ${handle}`);
    // As in the admin: a customer with orders cannot be deleted.
    if (type === "customer" && shop.orders.some((o) => o.customerId === id)) throw new Error(`customer ${id} has orders and cannot be deleted`);
    list.splice(index, 1);
    return type === "customer" ? { topic: "customers/delete", payload: customerDeletePayload(id) } : { topic: "orders/delete", payload: orderDeletePayload(id) };
  }

  /** Every request served, without headers or bodies (they carry tokens and secrets). */
  readonly requestLog: RequestLogEntry[] = [];

  private readonly hangs = new Set<() => void>();

  /** Wait `ms`, unless the server closes first; used by the timeout fault. */
  hang(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.hangs.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.hangs.add(done);
    });
  }

  /** Release every hanging request (on close). */
  releaseHangs(): void {
    for (const done of [...this.hangs]) done();
  }

  /** Replace the fault rates; the seeded sequence restarts. */
  setFaults(options: FaultOptions): void {
    this.faults.configure(options);
  }

  /**
   * Revoke an access token as Shopify does, by the merchant uninstalling the app: every access
   * and refresh token of that shop and app dies (the API answers 401, the refresh grant
   * `invalid_grant`). Used by tests and by the `revoked` fault.
   */
  revokeToken(token: string): boolean {
    const record = this.accessTokens.get(token);
    if (!record) return false;
    for (const store of [this.accessTokens, this.refreshTokens]) {
      for (const other of store.values()) {
        if (other.shop === record.shop && other.clientId === record.clientId) other.revoked = true;
      }
    }
    return true;
  }

  /**
   * The next `count` token-endpoint answers are lost: the grant is processed (tokens rotate),
   * then the connection is reset before the response is written.
   */
  loseTokenResponses(count = 1): void {
    this.lostTokenResponses = count;
  }

  /** Whether this token response is to be lost (consumes one). */
  takeLostTokenResponse(): boolean {
    if (this.lostTokenResponses <= 0) return false;
    this.lostTokenResponses--;
    return true;
  }

  /**
   * One active offline grant per app and shop, as Shopify has it: a new one revokes every
   * other offline access token and refresh token of the pair, except `keepRefreshToken` (a
   * spent refresh token that stays retryable until its replacement is used).
   */
  revokeOfflineGrants(handle: string, clientId: string, keepRefreshToken?: string): void {
    for (const record of this.accessTokens.values()) {
      if (!record.online && record.shop === handle && record.clientId === clientId) record.revoked = true;
    }
    for (const [value, record] of this.refreshTokens) {
      if (value !== keepRefreshToken && record.shop === handle && record.clientId === clientId) record.revoked = true;
    }
  }

  /** Issue a non-expiring offline token directly, skipping OAuth (for tests and demos). */
  issueOfflineToken(handle: string, clientId: string, scope?: string): string {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`unknown app ${clientId}`);
    this.shop(handle);
    const token = secureToken("shpat_");
    this.accessTokens.set(token, {
      shop: handle,
      clientId,
      scope: scope ?? (app.scopes ?? ["read_customers", "read_orders", "read_all_orders"]).join(","),
      expiresAt: null,
      online: false,
      revoked: false,
    });
    return token;
  }

  /** The token record when it is usable right now, for this shop. */
  activeToken(token: string, handle: string): AccessTokenRecord | undefined {
    const record = this.accessTokens.get(token);
    if (!record || record.revoked || record.shop !== handle) return undefined;
    if (record.expiresAt !== null && record.expiresAt <= this.now()) return undefined;
    return record;
  }
}
