// `{settings.X}` placeholders in OAuth URL templates: finding them, telling
// whether one sits in the URL's host, and expanding them after validation.

const PLACEHOLDER = /\{settings\.([A-Za-z0-9_]+)\}/g;

export function templatePlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** The authority part of an https template (between "://" and the next "/", "?" or "#"). */
function templateAuthority(template: string): string | null {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)/i.exec(template);
  return match ? match[1]! : null;
}

export function placeholdersInHost(template: string): string[] {
  const authority = templateAuthority(template);
  return authority ? templatePlaceholders(authority) : [];
}

export type TemplateProblem = { rule: string; message: string };

/** Checks a template is an https URL with a parsable host once placeholders hold a sample label. */
export function checkUrlTemplate(template: string): TemplateProblem | null {
  const sample = template.replace(PLACEHOLDER, "placeholder-value");
  let url: URL;
  try {
    url = new URL(sample);
  } catch {
    return { rule: "url", message: "must be an absolute URL" };
  }
  if (url.protocol !== "https:") return { rule: "https", message: `must use https, not ${url.protocol.replace(":", "")}` };
  if (!url.hostname) return { rule: "host", message: "must have a host" };
  if (url.username || url.password) return { rule: "userinfo", message: "must not contain userinfo (user:pass@)" };
  return null;
}

/**
 * Expands `{settings.X}` with already validated and normalized settings. Values in the
 * host are inserted as-is (they passed hostValidation); elsewhere they are percent-encoded.
 */
export function expandTemplate(template: string, settings: Record<string, unknown>): string {
  const authority = templateAuthority(template) ?? "";
  const authorityEnd = template.indexOf(authority) + authority.length;
  return template.replace(PLACEHOLDER, (_m, name: string, offset: number) => {
    const value = settings[name];
    if (value === undefined || value === null || value === "") {
      throw new Error(`setting ${name} is required to build this URL`);
    }
    if (typeof value === "object") throw new Error(`setting ${name} must be a string to build this URL`);
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return offset < authorityEnd ? text : encodeURIComponent(text);
  });
}
