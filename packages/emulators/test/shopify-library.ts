// @shopify/shopify-api configured as an app using the test app's credentials: the judge the
// contract tests hold the emulator (and the SDK verifier) to.
import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi, type Shopify } from "@shopify/shopify-api";
import { CLIENT_ID, CLIENT_SECRET } from "./shopify-helpers.js";

export const shopifyLibrary: Shopify = shopifyApi({
  apiKey: CLIENT_ID,
  apiSecretKey: CLIENT_SECRET,
  apiVersion: ApiVersion.July26,
  hostName: "host.backfill.test",
  isEmbeddedApp: false,
  logger: { level: 0, log: () => {} },
});
