// Cross-field manifest rules: the guide's release checklist, where a manifest can show it.
// Each problem names its path and the rule it breaks.
import type { ConnectorManifest } from "./schema.js";
import { checkUrlTemplate, placeholdersInHost, templatePlaceholders } from "./templates.js";
import type { ProviderRegistry } from "../providers/registry.js";
import { parseHttpPattern } from "../policy/http.js";
import { ENTITY_NAMES, entityNameForKind } from "../entities/registry.js";

export type ManifestProblem = { path: string; rule: string; message: string };

// Whole snake_case words: "token" and "*_token", and the names an OAuth app's secret goes
// by (client_secret, app_secret, api_secret, consumer_secret). A plain webhook_secret is a
// connector setting, not an OAuth credential.
const TOKEN_LIKE_SETTING = /(^|_)(access_?token|refresh_?token|id_?token|bearer|(client|app|api|consumer)_?secret|oauth_?token|token)($|_)/i;

/**
 * `providers`: the plug-ins the connector will run with; when given, every normalizer and
 * callback verifier the manifest names must be one of theirs (a loader passes them, since
 * the plug-ins are exported beside the manifest and registered after it is defined).
 */
export function manifestRuleProblems(m: ConnectorManifest, providers?: ProviderRegistry): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const add = (path: string, rule: string, message: string) => problems.push({ path, rule, message });
  const settings = m.connection.settingsSchema;
  const properties = settings.properties;

  m.permissions.http.forEach((pattern, i) => {
    const parsed = parseHttpPattern(pattern);
    if ("error" in parsed) add(`permissions.http.${i}`, "http_pattern", parsed.error);
  });

  for (const name of settings.required) {
    if (!(name in properties)) add(`connection.settingsSchema.required`, "known_setting", `${name} is required but not defined in properties`);
  }

  for (const [name, prop] of Object.entries(properties)) {
    if (prop["x-secret"] && !(name in m.permissions.secrets)) {
      add(`connection.settingsSchema.properties.${name}`, "secret_declared", `x-secret setting ${name} must be declared in permissions.secrets to be readable`);
    }
  }

  m.streams.forEach((stream, i) => {
    if (!stream.entity) return;
    const entity = (ENTITY_NAMES as readonly string[]).includes(stream.entity) ? stream.entity : entityNameForKind(stream.entity);
    if (!entity) add(`streams.${i}.entity`, "known_entity", `${stream.entity} is not a canonical entity (${ENTITY_NAMES.join(", ")})`);
    else if (!m.permissions.entities[entity as (typeof ENTITY_NAMES)[number]]?.includes("write")) {
      add(`streams.${i}.entity`, "entity_grant", `stream ${stream.name} writes ${entity}, so permissions.entities.${entity} must include "write"`);
    }
  });

  const oauth = m.connection.oauth;
  if (!oauth) return problems;
  const base = "connection.oauth";

  for (const [name] of Object.entries(properties)) {
    if (TOKEN_LIKE_SETTING.test(name)) {
      add(
        `connection.settingsSchema.properties.${name}`,
        "no_token_settings",
        `OAuth connectors must not declare token-like settings (${name}); the host stores tokens and client secrets`,
      );
    }
  }

  for (const name of oauth.requiredSettings) {
    if (!(name in properties)) add(`${base}.requiredSettings`, "known_setting", `${name} is not defined in connection.settingsSchema.properties`);
  }

  const templates = [
    ["authorizationUrlTemplate", oauth.authorizationUrlTemplate],
    ["tokenUrlTemplate", oauth.tokenUrlTemplate],
    ...(oauth.revocationUrlTemplate ? [["revocationUrlTemplate", oauth.revocationUrlTemplate]] : []),
  ] as const;

  for (const [field, template] of templates) {
    const problem = checkUrlTemplate(template);
    if (problem) add(`${base}.${field}`, problem.rule, problem.message);
    for (const name of templatePlaceholders(template)) {
      if (!(name in properties)) add(`${base}.${field}`, "known_setting", `{settings.${name}} names no property of connection.settingsSchema`);
      if (!oauth.requiredSettings.includes(name)) {
        add(`${base}.requiredSettings`, "placeholder_required", `must list ${name} because {settings.${name}} is in ${field}`);
      }
    }
    for (const name of placeholdersInHost(template)) {
      if (!oauth.hostValidation[name]) {
        add(`${base}.hostValidation.${name}`, "required", `required because {settings.${name}} is in the host of ${field}`);
      }
    }
  }

  for (const [name, rule] of Object.entries(oauth.hostValidation)) {
    const path = `${base}.hostValidation.${name}`;
    if (!(name in properties)) add(path, "known_setting", `${name} is not defined in connection.settingsSchema.properties`);
    if (!rule.suffix && !rule.allowedHosts && !rule.normalize) add(path, "constrains_host", "must set suffix, allowedHosts or normalize");
    if (providers && rule.normalize && !providers.hostNormalizer(rule.normalize)) {
      add(`${path}.normalize`, "known_normalizer", `unknown normalizer ${rule.normalize}; known: ${providers.hostNormalizerNames().join(", ")}`);
    }
  }

  oauth.callbackVerifiers.forEach((name, i) => {
    if (providers && !providers.callbackVerifier(name)) {
      add(`${base}.callbackVerifiers.${i}`, "known_verifier", `unknown callback verifier ${name}; known: ${providers.callbackVerifierNames().join(", ")}`);
    }
  });

  const webhookSecret = oauth.client.webhookSecret;
  if (webhookSecret && !m.permissions.secrets[webhookSecret]?.includes("read")) {
    add(`${base}.client.webhookSecret`, "secret_declared", `${webhookSecret} must be declared readable in permissions.secrets`);
  }
  if (oauth.refresh.enabled && !oauth.token.refreshTokenPath) {
    add(`${base}.token.refreshTokenPath`, "required", "required because refresh.enabled is true");
  }
  if (oauth.token.refreshExpiresInPath && oauth.token.refreshExpiresAtPath) {
    add(`${base}.token`, "one_expiry", "set refreshExpiresInPath or refreshExpiresAtPath, not both");
  }
  if (oauth.token.expiresInPath && oauth.token.expiresAtPath) {
    add(`${base}.token`, "one_expiry", "set expiresInPath or expiresAtPath, not both");
  }
  if (oauth.client.authMethod === "none" && !oauth.pkce) {
    add(`${base}.pkce`, "public_client_pkce", "must be true when client.authMethod is none (a public client needs PKCE)");
  }
  return problems;
}
