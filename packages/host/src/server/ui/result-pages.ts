// The page a merchant lands on after the provider: what was connected and what will sync,
// or what went wrong in their words. With a returnUrl on the session (checked against the
// allowlist when it was minted) the merchant is sent back there instead, with
// ?connection=<id>&status=connected|failed[&error=<code>].
import type { Context } from "hono";
import { html } from "hono/html";
import type { Host } from "../../app/open-host.js";
import type { CompleteAuthorizationResult } from "../../oauth/callback.js";
import type { OAuthFlowError } from "../../oauth/errors.js";
import { hashState } from "../../oauth/pkce.js";
import { renderMerchantError } from "./connect-routes.js";
import { renderPage } from "./layout.js";

/** What the callback knows before it runs: the session's returnUrl and the connector, via the state. */
export type CallbackOrigin = { returnUrl: string | null; connectorName: string };

export async function callbackOrigin(host: Host, state: string | undefined, connectorKey: string): Promise<CallbackOrigin> {
  const pending = state ? await host.store.pendingAuthorizations.findByStateHash(hashState(state)) : undefined;
  const session = pending?.session_id ? await host.store.connectSessions.get(pending.session_id) : undefined;
  const manifest = (await host.connectors.get(pending?.connector_key ?? connectorKey))?.manifest;
  return { returnUrl: session?.return_url ?? null, connectorName: manifest?.name ?? connectorKey };
}

function returnTo(returnUrl: string, params: Record<string, string>): string {
  const url = new URL(returnUrl);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

export async function renderConnected(c: Context, host: Host, origin: CallbackOrigin, done: CompleteAuthorizationResult): Promise<Response> {
  if (origin.returnUrl) return c.redirect(returnTo(origin.returnUrl, { connection: done.connectionId, status: "connected" }), 303);
  const manifest = (await host.connectors.get(done.connectorKey))?.manifest;
  const account = done.providerAccount.name ?? done.providerAccount.domain ?? done.providerAccount.id;
  const body = html`<div class="card">
<div class="alert good" role="status"><strong>Connected.</strong> ${manifest?.name ?? done.connectorKey} account <strong id="provider-account">${account}</strong> is linked.</div>
<h1>You are all set</h1>
<h2>What will sync</h2>
<ul>${(manifest?.streams ?? []).map((s) => html`<li>${s.name} <span class="muted">(${s.entity ?? s.name})</span></li>`)}</ul>
<p>You can close this page and return to the app.</p>
<p class="muted mono">connection ${done.connectionId}</p>
</div>`;
  return renderPage(c, 200, { title: `${manifest?.name ?? done.connectorKey} connected`, body, narrow: true });
}

export async function renderFailed(c: Context, origin: CallbackOrigin, error: OAuthFlowError, status: 400 | 401 | 403 | 404 | 409): Promise<Response> {
  if (origin.returnUrl) {
    const connectionId = typeof error.details?.connectionId === "string" ? error.details.connectionId : undefined;
    return c.redirect(returnTo(origin.returnUrl, { ...(connectionId ? { connection: connectionId } : {}), status: "failed", error: error.code }), 303);
  }
  return renderMerchantError(c, error, origin.connectorName, status);
}
