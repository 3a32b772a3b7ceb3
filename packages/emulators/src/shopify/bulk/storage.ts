// The storage origin of bulk results (https://storage.googleapis.com/...): the Backfill host
// routes it here in dev/demo as it routes *.myshopify.com. The signed URL alone grants
// access (no Shopify token: a client must never send one to this host); an expired or
// altered signature is refused as Cloud Storage refuses it.
import type { Context, Hono } from "hono";
import type { ShopifyEnv } from "../host.js";
import { BULK_STORAGE_BUCKET, BULK_STORAGE_HOST, type BulkOperations } from "./operations.js";

const xmlError = (c: Context, status: 400 | 403 | 404, code: string, message: string) =>
  c.body(`<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message}</Message></Error>`, status, { "Content-Type": "application/xml; charset=UTF-8" });

/** Whether a request is for the storage host (X-Forwarded-Host from the Backfill host's routing, or Host). */
export function isStorageRequest(forwardedHost: string | undefined, host: string | undefined): boolean {
  const name = (forwardedHost ?? host ?? "").split(",")[0]!.trim().toLowerCase().replace(/:\d+$/, "");
  return name === BULK_STORAGE_HOST;
}

export function registerBulkStorageRoute(app: Hono<ShopifyEnv>, bulk: BulkOperations, onDownload: (path: string, presentedToken: boolean) => void): void {
  app.get(`/${BULK_STORAGE_BUCKET}/*`, (c) => {
    if (!isStorageRequest(c.req.header("x-forwarded-host"), c.req.header("host"))) return c.json({ errors: "Not Found" }, 404);
    const path = new URL(c.req.url).pathname;
    onDownload(path, c.req.header("x-shopify-access-token") !== undefined || c.req.header("authorization") !== undefined);
    const file = bulk.resolveFile(path, c.req.query("X-Goog-Signature"));
    if (file === "expired") return xmlError(c, 400, "ExpiredToken", "Invalid argument. The provided token has expired. Request signature expired.");
    if (!file) return xmlError(c, 403, "SignatureDoesNotMatch", "Access denied. The request signature we calculated does not match the signature you provided.");
    const lines = bulk.fileLines(file.op, file.kind);
    if (!lines) return xmlError(c, 404, "NoSuchKey", "The specified key does not exist.");
    return c.body(lines.map((l) => `${l}\n`).join(""), 200, { "Content-Type": "application/jsonl" });
  });
}
