// Public API of the Shopify emulator. Generic names carry a Shopify prefix so the package
// index can re-export this beside the Square emulator without collisions.
export { createShopifyApp, startShopifyEmulator, ShopifyEmulator } from "./server.js";
export type { RunningShopifyEmulator, StartShopifyEmulatorOptions } from "./server.js";
export { ShopifyEmulatorState } from "./state.js";
export type { ShopifyAppRegistration, ShopifyEmulatorOptions, AccessTokenRecord as ShopifyAccessTokenRecord, RequestLogEntry as ShopifyRequestLogEntry } from "./state.js";
export type { FaultOptions as ShopifyFaultOptions, FaultKind as ShopifyFaultKind } from "./faults.js";
export {
  currencyDecimals as shopifyCurrencyDecimals,
  formatDecimal as formatShopifyDecimal,
  FINANCIAL_STATUSES as SHOPIFY_FINANCIAL_STATUSES,
  DATA_EPOCH as SHOPIFY_DATA_EPOCH,
} from "./data.js";
export type {
  AdvanceOptions as ShopifyAdvanceOptions,
  AdvanceResult as ShopifyAdvanceResult,
  CustomerRecord as ShopifyCustomerRecord,
  FinancialStatus as ShopifyFinancialStatus,
  LineItemRecord as ShopifyLineItemRecord,
  MoneyPair as ShopifyMoneyPair,
  OrderRecord as ShopifyOrderRecord,
  RefundLineItemRecord as ShopifyRefundLineItemRecord,
  RefundRecord as ShopifyRefundRecord,
  ShopRecord as ShopifyShopRecord,
  ShopSeed as ShopifyShopSeed,
} from "./data.js";
export { shopifyQueryHmac, verifyShopifyQueryHmac, TOKEN_EXCHANGE_GRANT_TYPE, OFFLINE_ACCESS_TOKEN_TYPE } from "./oauth.js";
export {
  webhookHmac as shopifyWebhookHmac,
  orderWebhookPayload as shopifyOrderWebhookPayload,
  refundWebhookPayload as shopifyRefundWebhookPayload,
  customerWebhookPayload as shopifyCustomerWebhookPayload,
  appUninstalledPayload as shopifyAppUninstalledPayload,
  customersDataRequestPayload as shopifyCustomersDataRequestPayload,
  customersRedactPayload as shopifyCustomersRedactPayload,
  shopRedactPayload as shopifyShopRedactPayload,
  customerDeletePayload as shopifyCustomerDeletePayload,
  orderDeletePayload as shopifyOrderDeletePayload,
} from "./webhooks.js";
export type { WebhookTopic as ShopifyWebhookTopic, WebhookDelivery as ShopifyWebhookDelivery, DeliverWebhookOptions as ShopifyDeliverWebhookOptions } from "./webhooks.js";
export { shopHandleFromHost } from "./host.js";
export { gid as shopifyGid } from "./graphql/resolvers.js";
