// The UI's static files (one stylesheet, two small scripts), served by the host itself
// under content-hashed names, so the CSP can stay `'self'` with no inline code and the
// files can be cached forever. They live in packages/host/assets (shipped with the package).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Hono } from "hono";
import { revealOnce } from "../reveal.js";

export const UI_ASSET_NAMES = ["ui.css", "connect.js", "dashboard.js"] as const;
export type UiAssetName = (typeof UI_ASSET_NAMES)[number];

type LoadedAsset = { body: string; hashedName: string; type: string };

// src/server/ui and dist/server/ui both sit three levels below the package root.
const ASSETS_DIR = new URL("../../../assets/", import.meta.url);

function load(name: UiAssetName): LoadedAsset {
  const body = readFileSync(new URL(name, ASSETS_DIR), "utf8");
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  const dot = name.lastIndexOf(".");
  return { body, hashedName: `${name.slice(0, dot)}.${hash}${name.slice(dot)}`, type: name.endsWith(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8" };
}

let loaded: Map<UiAssetName, LoadedAsset> | undefined;
function assets(): Map<UiAssetName, LoadedAsset> {
  loaded ??= new Map(UI_ASSET_NAMES.map((name) => [name, load(name)]));
  return loaded;
}

/** The URL path of an asset, with its content hash. */
export function assetPath(name: UiAssetName): string {
  return `/ui/assets/${assets().get(name)!.hashedName}`;
}

/** GET /ui/assets/<name>.<hash>.<ext>. */
export function assetRoutes(): Hono {
  const app = new Hono();
  app.get("/:file", (c) => {
    const asset = [...assets().values()].find((a) => a.hashedName === c.req.param("file"));
    if (!asset) return c.text("not found", 404);
    // The host's own fixed files hold no secret, and the redactor's patterns would rewrite
    // code such as `credentials: "same-origin"`: they skip it.
    return revealOnce(c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable" }));
  });
  return app;
}
