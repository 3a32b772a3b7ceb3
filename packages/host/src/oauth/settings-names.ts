// Settings given for a connection must be settings of its connector: an unknown name is
// refused with the closest real one, never stored.
import type { ConnectorManifest } from "@backfill-io/sdk";
import { unknownSettings } from "@backfill-io/sdk/policy";
import { oauthFlowError } from "./errors.js";

export function refuseUnknownSettings(manifest: ConnectorManifest, names: readonly string[]): void {
  const unknown = unknownSettings(manifest, names);
  if (!unknown.length) return;
  const list = unknown.map((u) => (u.suggestion ? `${u.name} (did you mean ${u.suggestion}?)` : u.name)).join(", ");
  const known = Object.keys(manifest.connection.settingsSchema.properties ?? {});
  throw oauthFlowError("unknown_setting", `${manifest.key} has no setting ${list}`, {
    fix: known.length ? `its settings are: ${known.join(", ")}` : `${manifest.key} takes no settings`,
    details: { unknown: unknown.map((u) => u.name) },
  });
}
