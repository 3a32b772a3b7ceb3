// Dev/demo provider routing: send requests meant for a real provider (e.g.
// https://acme.example-shop.com) to a local stand-in (http://127.0.0.1:4001), keeping
// the path and query and telling the stand-in the original host.

export type ProviderRoute = {
  /** `https://host` where a host label may be `*` (exactly one label), optional `:port`. */
  match: string;
  /** The origin requests are sent to instead, e.g. `http://127.0.0.1:4001`. */
  target: string;
};

export type RoutedUrl = { url: URL; originalHost: string | null };

type CompiledRoute = { protocol: string; labels: string[]; port: string; target: URL };

function compile(route: ProviderRoute): CompiledRoute {
  const m = /^(https?):\/\/([^/?#]+)\/?$/i.exec(route.match.trim());
  if (!m) throw new Error(`provider route match ${JSON.stringify(route.match)} must look like https://*.example.com`);
  const [host, port = ""] = m[2]!.toLowerCase().split(":") as [string, string?];
  const target = new URL(route.target);
  if (target.pathname !== "/" || target.search) throw new Error(`provider route target ${route.target} must be an origin (no path or query)`);
  return { protocol: `${m[1]!.toLowerCase()}:`, labels: host.split("."), port, target };
}

function matches(url: URL, r: CompiledRoute): boolean {
  if (url.protocol !== r.protocol) return false;
  if ((url.port || "") !== r.port) return false;
  const labels = url.hostname.toLowerCase().split(".");
  return labels.length === r.labels.length && r.labels.every((l, i) => l === "*" || l === labels[i]);
}

/** Compiles the routes once; the returned function maps a URL to where it is really sent. */
export function providerRouter(routes: readonly ProviderRoute[] = []): (url: URL) => RoutedUrl {
  const compiled = routes.map(compile);
  return (url) => {
    const route = compiled.find((r) => matches(url, r));
    if (!route) return { url, originalHost: null };
    const routed = new URL(url.pathname + url.search, route.target);
    return { url: routed, originalHost: url.host };
  };
}

/** Parses `BACKFILL_PROVIDER_ROUTES` (`match=target,match=target` or a JSON array). */
export function parseProviderRoutes(text: string | undefined): ProviderRoute[] {
  if (!text?.trim()) return [];
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) return JSON.parse(trimmed) as ProviderRoute[];
  return trimmed.split(",").map((pair) => {
    const at = pair.indexOf("=");
    if (at < 0) throw new Error(`provider route ${JSON.stringify(pair)} must be match=target`);
    return { match: pair.slice(0, at).trim(), target: pair.slice(at + 1).trim() };
  });
}
