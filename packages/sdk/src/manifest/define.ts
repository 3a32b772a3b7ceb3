import { z } from "zod";
import { manifestSchema, type ConnectorManifest, type ConnectorManifestInput } from "./schema.js";
import { manifestRuleProblems, type ManifestProblem } from "./rules.js";
import type { ProviderRegistry } from "../providers/registry.js";
import { INVALID_MANIFEST } from "../runtime/error-codes.js";
import { BackfillError } from "../runtime/errors.js";

/** One error listing every manifest problem, each as `path: message (rule)`. */
export class ManifestError extends BackfillError<typeof INVALID_MANIFEST> {
  readonly problems: ManifestProblem[];

  constructor(problems: ManifestProblem[], source?: string) {
    const where = source ? ` in ${source}` : "";
    super(
      INVALID_MANIFEST,
      `Invalid connector manifest${where} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.path || "(root)"}: ${p.message} [${p.rule}]`).join("\n"),
      { problems },
    );
    this.name = "ManifestError";
    this.problems = problems;
  }
}

/** Dotted path; a segment that is empty or not a plain name is JSON-quoted so it stays visible. */
function formatPath(segments: readonly PropertyKey[]): string {
  return segments.map((s) => (typeof s === "number" || /^[A-Za-z0-9_$-]+$/.test(String(s)) ? String(s) : JSON.stringify(String(s)))).join(".");
}

function zodProblems(error: z.ZodError): ManifestProblem[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path;
    // Name each unknown key by its own path, so a typo points at itself.
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), rule: "unknown_key", message: "is not a known field" }));
    }
    return [{ path: formatPath(path), rule: issue.code, message: issue.message }];
  });
}

export type ManifestValidation = { ok: true; manifest: ConnectorManifest; problems: [] } | { ok: false; manifest?: undefined; problems: ManifestProblem[] };

/**
 * Validates a manifest without throwing. Never crashes on arbitrary input. With
 * `providers`, the normalizers and callback verifiers it names must be registered there.
 */
export function validateManifest(input: unknown, opts: { providers?: ProviderRegistry } = {}): ManifestValidation {
  const parsed = manifestSchema.safeParse(input);
  if (!parsed.success) return { ok: false, problems: zodProblems(parsed.error) };
  const problems = manifestRuleProblems(parsed.data, opts.providers);
  if (problems.length) return { ok: false, problems };
  return { ok: true, manifest: parsed.data, problems: [] };
}

const MANIFEST_BRAND = Symbol.for("backfill.manifest");

/**
 * Validates the manifest and returns it with defaults applied.
 * Throws a ManifestError listing every problem with its path and rule.
 */
export function defineConnector(input: ConnectorManifestInput): ConnectorManifest {
  const result = validateManifest(input);
  if (!result.ok) throw new ManifestError(result.problems, input && typeof input === "object" && "key" in input ? String(input.key) : undefined);
  Object.defineProperty(result.manifest, MANIFEST_BRAND, { value: true });
  return Object.freeze(result.manifest);
}

export function isDefinedManifest(value: unknown): value is ConnectorManifest {
  return !!value && typeof value === "object" && (value as Record<symbol, unknown>)[MANIFEST_BRAND] === true;
}
