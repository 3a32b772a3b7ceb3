// Who may call a route: the route's `config.auth` asks, the manifest's `routes` grants.
// The host and `backfill validate` both decide with this function.
import type { ConnectorManifest } from "./schema.js";

export type RouteAuth = "api_key" | "public" | "webhook";

/** A route's config asks for anonymous access the manifest's `routes` does not grant. */
export const ROUTE_AUTH_UNDECLARED = "route_auth_undeclared";

export type RouteAccess = {
  /** What the host enforces. */
  auth: RouteAuth;
  /** What the route's `config.auth` asked for. */
  requested: RouteAuth;
  /** The route asked for public or webhook access and the manifest does not declare it: it needs the API key. */
  undeclared: boolean;
};

/** The `config.auth` a route module exported, as a RouteAuth (anything unknown is api_key). */
export function requestedRouteAuth(configAuth: unknown): RouteAuth {
  return configAuth === "public" || configAuth === "webhook" ? configAuth : "api_key";
}

/** True when the manifest lists `route` under routes.public (for "public") or routes.webhooks (for "webhook"). */
export function manifestDeclaresRoute(manifest: ConnectorManifest, route: string, auth: Exclude<RouteAuth, "api_key">): boolean {
  const declared = auth === "public" ? manifest.routes.public : manifest.routes.webhooks;
  return declared.includes(route);
}

/** The access the host enforces for `route`: anonymous only when the route asks and the manifest agrees. */
export function routeAccess(manifest: ConnectorManifest, route: string, configAuth: unknown): RouteAccess {
  const requested = requestedRouteAuth(configAuth);
  if (requested === "api_key") return { auth: "api_key", requested, undeclared: false };
  const declared = manifestDeclaresRoute(manifest, route, requested);
  return { auth: declared ? requested : "api_key", requested, undeclared: !declared };
}
