// GET /v2/merchants/me, /v2/merchants/:id, /v2/locations, /v2/locations/:id.

import type { Hono } from "hono";
import { notFound, requireScope, type SquareEnv } from "./context.js";

export function registerMerchantRoutes(app: Hono<SquareEnv>): void {
  const profileRead = requireScope("MERCHANT_PROFILE_READ");

  app.get("/v2/merchants/me", profileRead, (c) => c.json({ merchant: c.get("data").merchant }));

  app.get("/v2/merchants/:merchantId", profileRead, (c) => {
    const { merchant } = c.get("data");
    if (c.req.param("merchantId") !== merchant.id) return notFound(c, `Merchant with ID \`${c.req.param("merchantId")}\` not found.`);
    return c.json({ merchant });
  });

  // Square lists locations by name.
  app.get("/v2/locations", profileRead, (c) => c.json({ locations: [...c.get("data").locations].sort((a, b) => a.name.localeCompare(b.name, "en") || (a.id < b.id ? -1 : 1)) }));

  app.get("/v2/locations/:locationId", profileRead, (c) => {
    const location = c.get("data").locations.find((candidate) => candidate.id === c.req.param("locationId"));
    return location ? c.json({ location }) : notFound(c, `Location with ID \`${c.req.param("locationId")}\` not found.`);
  });
}
