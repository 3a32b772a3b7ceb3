// The operator dashboard's pages (HTML only; the data comes from dashboard-routes.ts).
import { html } from "hono/html";
import type { SyncRunRow } from "../../store/schema.js";
import type { ConnectionRow } from "../../store/repositories/connections.js";
import type { RecordRow } from "../../store/repositories/records.js";
import type { Html } from "./layout.js";

export type NavSection = "connections" | "credentials" | "keys" | "webhooks";

export function navHtml(current: NavSection, csrf: string): Html {
  const link = (section: NavSection, href: string, label: string) => html`<a href="${href}" ${section === current ? html`aria-current="page"` : ""}>${label}</a>`;
  return html`<nav class="top" aria-label="Dashboard"><div class="inner"><strong>Backfill</strong>
${link("connections", "/ui", "Connections")}${link("credentials", "/ui/credentials", "App credentials")}${link("keys", "/ui/keys", "API keys")}${link("webhooks", "/ui/webhooks", "Auth webhooks")}
<form method="post" action="/ui/logout"><input type="hidden" name="_csrf" value="${csrf}"><button type="submit" id="logout">Log out</button></form></div></nav>`;
}

export const csrfMeta = (csrf: string): Html => html`<meta name="csrf-token" content="${csrf}">`;
export const flashBox: Html = html`<div id="flash" class="alert info" role="status" tabindex="-1" hidden></div>`;

const time = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString().replace("T", " ").slice(0, 19) : "—");
const status = (s: string) => html`<span class="status ${s}">${s}</span>`;

export function loginHtml(csrf: string, error?: string): Html {
  return html`<div class="card"><h1>Operator dashboard</h1>
<p class="lead">Sign in with a host API key (<code>backfill keys create</code>).</p>
${error ? html`<div class="alert bad" role="alert">${error}</div>` : ""}
<form method="post" action="/ui/login">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="api-key">Host API key</label>
<input type="password" id="api-key" name="apiKey" autocomplete="off" required autofocus>
<button type="submit">Sign in</button>
</form></div>`;
}

export type ConnectionSummary = { row: ConnectionRow; lastSync: Record<string, SyncRunRow | undefined> };

export function connectionsHtml(list: ConnectionSummary[]): Html {
  return html`<h1>Connections</h1>
<div class="card"><table id="connections"><thead><tr><th>Connection</th><th>Status</th><th>Provider account</th><th>End user</th><th>Tags</th><th>Last sync</th></tr></thead><tbody>
${list.length === 0 ? html`<tr><td colspan="6" class="muted">No connections yet: mint a connect session (POST /api/connect/sessions) and send its connectUrl.</td></tr>` : ""}
${list.map(({ row, lastSync }) => {
  const endUser = row.end_user;
  const tags = Object.entries(row.tags);
  return html`<tr><td><a href="/ui/connections/${row.id}">${row.connector_key}</a><br><span class="muted mono">${row.id}</span></td>
<td>${status(row.status)}${row.status_reason ? html`<br><span class="muted">${row.status_reason}</span>` : ""}</td>
<td>${row.provider_account_name ?? row.provider_account_id ?? "—"}${row.provider_account_domain ? html`<br><span class="muted">${row.provider_account_domain}</span>` : ""}</td>
<td>${endUser ? html`${endUser.displayName ?? endUser.id}<br><span class="muted mono">${endUser.id}</span>` : "—"}</td>
<td>${tags.length ? tags.map(([k, v]) => html`<code>${k}=${v}</code> `) : "—"}</td>
<td>${Object.entries(lastSync).map(([stream, run]) => html`${stream}: ${run ? html`${status(run.status)} ${time(run.finished_at ?? run.started_at)}` : "never"}<br>`)}</td></tr>`;
})}
</tbody></table></div>`;
}

export type ConnectionPage = {
  row: ConnectionRow;
  streams: { name: string; entity: string | undefined; lastRun: SyncRunRow | undefined }[];
  runs: SyncRunRow[];
  errors: { at: number; text: string }[];
};

export function runsRowsHtml(runs: SyncRunRow[]): Html {
  return html`${runs.map((r) => html`<tr><td>${r.stream}</td><td>${status(r.status)}</td><td>${r.pages}</td><td>${r.accepted}</td><td>${r.rejected}</td><td>${time(r.started_at)}</td><td>${r.error ?? ""}</td></tr>`)}`;
}

export function connectionHtml(p: ConnectionPage): Html {
  const { row } = p;
  const running = p.runs.some((r) => r.status === "running");
  return html`<p><a href="/ui">← Connections</a></p>
<h1>${row.connector_key} <span class="muted mono">${row.id}</span></h1>
${flashBox}
<div class="card">
<p>Status: ${status(row.status)} ${row.status_reason ? html`<span class="muted">(${row.status_reason})</span>` : ""} · Provider account: <strong id="provider-account">${row.provider_account_name ?? row.provider_account_id ?? "—"}</strong> · Connected ${time(row.connected_at)}</p>
<div class="actions">
<form data-api="/api/connections/${row.id}/sync" data-then="poll-runs"><button type="submit" class="small" id="sync-now" ${row.status === "active" ? "" : "disabled"}>Sync now</button></form>
<form data-api="/api/connect/sessions/reconnect" data-json data-then="show-link"><input type="hidden" name="connectionId" value="${row.id}"><button type="submit" class="small secondary" id="reconnect">Copy reconnect link</button></form>
<form data-api="/api/connections/${row.id}" data-method="DELETE" data-confirm="Disconnect ${row.connector_key} ${row.id}? The tokens are revoked and deleted."><button type="submit" class="small danger" id="disconnect">Disconnect</button></form>
</div>
<label for="reconnect-link" class="sr-only">Reconnect link</label><input type="text" id="reconnect-link" readonly hidden>
</div>
<h2>Streams</h2>
<div class="card"><table><thead><tr><th>Stream</th><th>Entity</th><th>Last run</th><th>Records</th></tr></thead><tbody>
${p.streams.map((s) => html`<tr><td>${s.name}</td><td>${s.entity ?? "—"}</td><td>${s.lastRun ? html`${status(s.lastRun.status)} ${time(s.lastRun.finished_at ?? s.lastRun.started_at)}` : "never"}</td><td>${s.entity ? html`<a href="/ui/connections/${row.id}/records?entity=${s.entity}">browse</a>` : ""}</td></tr>`)}
</tbody></table></div>
<h2>Runs</h2>
<div class="card"><table id="runs" data-connection="${row.id}" data-live="${running ? "running" : "done"}"><thead><tr><th>Stream</th><th>Status</th><th>Pages</th><th>Accepted</th><th>Rejected</th><th>Started</th><th>Error</th></tr></thead><tbody>
${runsRowsHtml(p.runs)}
</tbody></table></div>
<h2>Recent errors</h2>
<div class="card">${p.errors.length ? html`<ul>${p.errors.map((e) => html`<li><span class="muted">${time(e.at)}</span> ${e.text}</li>`)}</ul>` : html`<p class="muted">None.</p>`}</div>`;
}

export function recordsHtml(row: ConnectionRow, entities: string[], entity: string | undefined, key: string, records: RecordRow[]): Html {
  return html`<p><a href="/ui/connections/${row.id}">← ${row.connector_key} ${row.id}</a></p>
<h1>Records</h1>
<div class="card"><form method="get" action="/ui/connections/${row.id}/records" class="actions">
<label for="entity">Entity</label><select id="entity" name="entity">${entities.map((e) => html`<option value="${e}" ${e === entity ? "selected" : ""}>${e}</option>`)}</select>
<label for="key">Key contains</label><input type="search" id="key" name="key" value="${key}">
<button type="submit" class="small" id="search">Search</button></form></div>
<div class="card"><table id="records"><thead><tr><th>Key</th><th>Kind</th><th>Stream</th><th>Last seen</th><th>Payload</th></tr></thead><tbody>
${records.length === 0 ? html`<tr><td colspan="5" class="muted">No records.</td></tr>` : ""}
${records.map((r) => html`<tr><td class="mono">${r.idempotency_key}</td><td>${r.kind}</td><td>${r.stream}</td><td>${time(r.last_seen)}</td><td><details><summary>show</summary><pre>${r.payload !== null ? JSON.stringify(r.payload, null, 2) : "(redacted)"}</pre></details></td></tr>`)}
</tbody></table></div>`;
}

export function credentialsHtml(list: { credentialKey: string; clientId: string; updatedAt: number }[]): Html {
  return html`<h1>App credentials</h1>${flashBox}
<div class="card"><table id="credentials"><thead><tr><th>Credential</th><th>Client id</th><th>Client secret</th><th>Updated</th></tr></thead><tbody>
${list.map((c) => html`<tr><td class="mono">${c.credentialKey}</td><td class="mono">${c.clientId}</td><td class="muted">set (never shown)</td><td>${time(c.updatedAt)}</td></tr>`)}
</tbody></table></div>
<div class="card"><h2>Set or rotate a credential</h2>
<form id="credential-form" data-api="/api/credentials/" data-method="PUT" data-json data-key-field="credentialKey">
<label for="credentialKey">Credential key</label><input type="text" id="credentialKey" name="credentialKey" required placeholder="acme_public_app">
<label for="clientId">Client id</label><input type="text" id="clientId" name="clientId" required>
<label for="clientSecret">Client secret</label><input type="password" id="clientSecret" name="clientSecret" required autocomplete="off">
<button type="submit">Save</button></form></div>`;
}

export function keysHtml(keys: { id: string; name: string; prefix: string; created_at: number; last_used_at: number | null; revoked_at: number | null }[], self: string): Html {
  return html`<h1>API keys</h1>${flashBox}
<div class="card"><table id="keys"><thead><tr><th>Name</th><th>Prefix</th><th>Created</th><th>Last used</th><th>Status</th><th></th></tr></thead><tbody>
${keys.map(
  (
    k,
  ) => html`<tr data-key-id="${k.id}"><td>${k.name}${k.id === self ? html` <span class="muted">(this session)</span>` : ""}</td><td class="mono">${k.prefix}…</td><td>${time(k.created_at)}</td><td>${time(k.last_used_at)}</td><td>${k.revoked_at ? status("revoked") : status("active")}</td>
<td>${k.revoked_at ? "" : html`<form data-api="/api/keys/${k.id}" data-method="DELETE" data-confirm="Revoke the key ${k.name}?"><button type="submit" class="small danger" id="revoke-${k.id}">Revoke</button></form>`}</td></tr>`,
)}
</tbody></table></div>
<div class="card"><h2>Create a key</h2><form data-api="/api/keys" data-json data-then="show-key">
<label for="key-name">Name</label><input type="text" id="key-name" name="name" required maxlength="100">
<button type="submit" id="create-key">Create</button></form></div>`;
}

export function webhooksHtml(
  rows: {
    event_id: string;
    event_type: string;
    connection_id: string | null;
    status: string;
    attempts: number;
    last_status_code: number | null;
    last_error: string | null;
    created_at: number;
  }[],
): Html {
  return html`<h1>Auth webhooks</h1>
<div class="card"><table id="deliveries"><thead><tr><th>Event</th><th>Type</th><th>Connection</th><th>Status</th><th>Attempts</th><th>Last answer</th><th>Created</th></tr></thead><tbody>
${rows.length === 0 ? html`<tr><td colspan="7" class="muted">No events yet.</td></tr>` : ""}
${rows.map((r) => html`<tr><td class="mono">${r.event_id}</td><td>${r.event_type}</td><td class="mono">${r.connection_id ?? "—"}</td><td>${status(r.status)}</td><td>${r.attempts}</td><td>${r.last_status_code ?? r.last_error ?? "—"}</td><td>${time(r.created_at)}</td></tr>`)}
</tbody></table></div>`;
}
