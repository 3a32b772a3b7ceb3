// dryrun --save: the recorded provider exchanges as a fixture file, and a route test that
// replays them through connectorTestRuntime page after page (Nango's dryrun --save /
// generate:tests). The fixture holds responses only, redacted: never a request header.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { routeFile, type ConnectorManifest } from "@backfill-io/sdk";
import type { DryRunResult, RecordedExchange } from "./dry-run.js";

export type Recording = {
  connector: string;
  stream: string;
  recordedAt: string;
  settings: Record<string, unknown>;
  scopes: string[];
  pages: { exchanges: RecordedExchange[]; accepted: number }[];
};

export type SavedFixtures = { fixtureFile: string; testFile: string | null };

/** A relative module specifier from `fromDir` to `file` ("./x.js" style, posix separators). */
function specifier(fromDir: string, file: string): string {
  const rel = relative(fromDir, file).split(sep).join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
}

export function replayTestSource(stream: string, fixtureSpecifier: string, routeSpecifier: string): string {
  return `// Replays the provider responses \`backfill dryrun --save\` recorded for stream ${stream}:
// page after page, the route must ingest what it ingested live. Regenerate with the same command.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { connectorTestRuntime } from "@backfill-io/sdk/testing";
import { POST } from "${routeSpecifier}";

type Exchange = { request: { method: string; url: string }; response: { status: number; headers: Record<string, string>; body: string } };
type Recording = { settings: Record<string, unknown>; scopes: string[]; pages: { exchanges: Exchange[]; accepted: number }[] };

const recording = JSON.parse(readFileSync(new URL("${fixtureSpecifier}", import.meta.url), "utf8")) as Recording;

describe("${stream} (replayed from backfill dryrun)", () => {
  it("replays the recorded pages and ingests the same records", async () => {
    const runtime = connectorTestRuntime({
      settings: recording.settings,
      oauth: { accessToken: "replay-access-token", scopes: recording.scopes, requiredScopes: recording.scopes },
    });
    try {
      for (const page of recording.pages) {
        for (const x of page.exchanges) runtime.http.once(x.request.method as "GET", x.request.url, x.response);
        const before = runtime.batches.length;
        const response = await runtime.call(POST);
        expect(response.status).toBe(200);
        expect(runtime.batches.slice(before).reduce((n, b) => n + b.result.accepted, 0)).toBe(page.accepted);
      }
      expect(runtime.http.pending()).toEqual([]);
    } finally {
      runtime.restore();
    }
  });
});
`;
}

/**
 * Writes `<saveDir>/dryrun-<stream>.json` and, when the connector is a package directory,
 * `<package>/test/<stream>.replay.test.ts` importing the route by its source file.
 */
export function saveFixtures(
  result: DryRunResult,
  opts: { saveDir: string; manifest: ConnectorManifest; settings: Record<string, unknown>; packageDir?: string | undefined; now?: Date },
): SavedFixtures {
  const recording: Recording = {
    connector: result.connectorKey,
    stream: result.stream,
    recordedAt: (opts.now ?? new Date()).toISOString(),
    settings: opts.settings,
    scopes: opts.manifest.connection.oauth?.scopes ?? [],
    pages: result.pages.map((p) => ({ exchanges: p.exchanges, accepted: p.records.length })),
  };
  const fixtureFile = join(resolve(opts.saveDir), `dryrun-${result.stream}.json`);
  mkdirSync(dirname(fixtureFile), { recursive: true });
  writeFileSync(fixtureFile, JSON.stringify(recording, null, 2) + "\n");
  const streamDef = opts.manifest.streams.find((s) => s.name === result.stream)!;
  const route = opts.packageDir ? routeFile(join(opts.packageDir, "src", "api"), streamDef.route) : null;
  if (!opts.packageDir || !route) return { fixtureFile, testFile: null };
  const testDir = join(opts.packageDir, "test");
  const testFile = join(testDir, `${result.stream}.replay.test.ts`);
  mkdirSync(testDir, { recursive: true });
  writeFileSync(testFile, replayTestSource(result.stream, specifier(testDir, fixtureFile), specifier(testDir, route).replace(/\.m?ts$/, ".js")));
  return { fixtureFile, testFile };
}
