// The connect form's fields, generated from the manifest's settingsSchema: title as the
// label, description as the hint, x-placeholder, required, enum as a select, x-secret
// masked (and never echoed back into the page).
import type { ConnectorManifest } from "@backfill-io/sdk";
import { html } from "hono/html";
import type { Html } from "./layout.js";

export type FieldProblems = Record<string, string>;

type SettingProperty = ConnectorManifest["connection"]["settingsSchema"]["properties"][string];

function isRequired(manifest: ConnectorManifest, name: string): boolean {
  return manifest.connection.settingsSchema.required.includes(name) || (manifest.connection.oauth?.requiredSettings.includes(name) ?? false);
}

function defaultText(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

function fieldHtml(manifest: ConnectorManifest, name: string, prop: SettingProperty, value: string, problem: string | undefined): Html {
  const id = `setting-${name}`;
  const required = isRequired(manifest, name);
  const secret = prop["x-secret"] === true;
  const described = [prop.description ? `${id}-hint` : "", `feedback-${name}`].filter(Boolean).join(" ");
  const common = html`id="${id}" name="${name}" data-setting data-masked="${secret ? "true" : "false"}" aria-describedby="${described}" aria-invalid="${problem ? "true" : "false"}" ${required ? html`required aria-required="true"` : ""}`;
  const control = prop.enum
    ? html`<select ${common}>${prop.enum.map((option) => html`<option value="${String(option)}" ${String(option) === (value || defaultText(prop.default)) ? "selected" : ""}>${String(option)}</option>`)}</select>`
    : html`<input type="${secret ? "password" : "text"}" ${common} value="${secret ? "" : value}" placeholder="${prop["x-placeholder"] ?? ""}" autocomplete="off" spellcheck="false">`;
  return html`<div class="field">
<label for="${id}">${prop.title ?? name}${required ? "" : html` <span class="optional">(optional)</span>`}</label>
${prop.description ? html`<span class="hint" id="${id}-hint">${prop.description}</span>` : ""}
${control}
<p id="feedback-${name}" class="${problem ? "field-error" : "field-ok"}" role="status" aria-live="polite">${problem ?? ""}</p>
</div>`;
}

/** The fields the merchant fills in: every setting the session does not preset. */
export function settingsFieldsHtml(manifest: ConnectorManifest, presets: Record<string, unknown>, values: Record<string, string>, problems: FieldProblems): Html[] {
  return Object.entries(manifest.connection.settingsSchema.properties)
    .filter(([name]) => !(name in presets))
    .map(([name, prop]) => fieldHtml(manifest, name, prop, values[name] ?? "", problems[name]));
}
