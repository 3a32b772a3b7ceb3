export * from "./shopify/index.js";
export * from "./square/index.js";
