// Secrets, settings and entity write grants: the manifest rules both bindings apply.
import type { ConnectorManifest } from "../manifest/schema.js";
import { PermissionDeniedError, BackfillError } from "../runtime/errors.js";
import { ENTITY_KINDS, isEntityKind, type EntityKind } from "../entities/registry.js";

export function assertSecretReadable(manifest: ConnectorManifest, name: string): void {
  if (!manifest.permissions.secrets[name]?.includes("read")) {
    throw new PermissionDeniedError(`Secrets.get("${name}"): not declared readable in permissions.secrets`, { secret: name, rule: "permissions.secrets" });
  }
}

export function isSecretSetting(manifest: ConnectorManifest, name: string): boolean {
  return manifest.connection.settingsSchema.properties[name]?.["x-secret"] === true;
}

export function assertSettingReadable(manifest: ConnectorManifest, name: string): void {
  if (isSecretSetting(manifest, name)) {
    throw new PermissionDeniedError(`Settings.get("${name}"): ${name} is a secret; read it with Secrets.get("${name}")`, { setting: name, rule: "x-secret" });
  }
}

export function assertEntityWritable(manifest: ConnectorManifest, kind: string): EntityKind {
  if (!isEntityKind(kind)) {
    throw new BackfillError("invalid_request", `ingest: unknown entity kind ${JSON.stringify(kind)}; known: ${Object.keys(ENTITY_KINDS).join(", ")}`);
  }
  const entity = ENTITY_KINDS[kind].entity;
  if (!manifest.permissions.entities[entity]?.includes("write")) {
    throw new PermissionDeniedError(`ingest: ${kind} needs permissions.entities.${entity} to include "write"`, { entity, rule: "permissions.entities" });
  }
  return kind;
}
