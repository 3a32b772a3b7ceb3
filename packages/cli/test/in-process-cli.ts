// The backfill CLI run in process with captured output, and the places a secret must never
// reach, shared by the command tests.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { runCli, type CliIO } from "../src/index.js";

export type CliRun = { code: number; out: string; err: string };
export type CliRunOptions = { stdin?: string; onStdout?: (text: string) => void };

/**
 * `cli(args)` runs `backfill --data-dir <dataDir> ...args`; `printed` collects everything
 * every run wrote, for the canary checks at the end of a test file.
 */
export function inProcessCli(dataDir: string): { cli: (args: string[], opts?: CliRunOptions) => Promise<CliRun>; printed: string[] } {
  const printed: string[] = [];
  async function cli(args: string[], opts: CliRunOptions = {}): Promise<CliRun> {
    let out = "";
    let err = "";
    const stdin = new PassThrough();
    stdin.end(opts.stdin ?? "");
    const io: CliIO = {
      stdout: (t) => {
        out += t;
        opts.onStdout?.(t);
      },
      stderr: (t) => void (err += t),
      stdin,
      readSecret: async () => opts.stdin ?? "",
    };
    const code = await runCli(["node", "backfill", "--data-dir", dataDir, ...args], { io });
    printed.push(out, err);
    return { code, out, err };
  }
  return { cli, printed };
}

/** The bytes of the SQLite database files (main, WAL, shared memory) as text, to search for secrets. */
export function databaseFileTexts(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((f) => f.startsWith("backfill.db"))
    .map((f) => readFileSync(join(dataDir, f)).toString("latin1"));
}

export type StandInHandler = (req: IncomingMessage, res: ServerResponse, url: URL, raw: string) => void;

/**
 * A provider stand-in on 127.0.0.1 for one test file: `match` (e.g. https://connect.squareup.com)
 * is routed to it through BACKFILL_PROVIDER_ROUTES, and the fixture connector in `connectorDir`
 * is found through BACKFILL_CONNECTOR_DIRS, both for the file's duration. The handler gets the
 * request's body as text.
 */
export function providerStandIn(match: string, connectorDir: string, handler: StandInHandler): { origin: () => string } {
  let server: Server | undefined;
  let origin = "";
  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => handler(req, res, url, raw));
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    process.env.BACKFILL_PROVIDER_ROUTES = `${match}=${origin}`;
    process.env.BACKFILL_CONNECTOR_DIRS = connectorDir;
  });
  afterAll(async () => {
    delete process.env.BACKFILL_PROVIDER_ROUTES;
    delete process.env.BACKFILL_CONNECTOR_DIRS;
    await new Promise<void>((r) => server?.close(() => r()));
  });
  return { origin: () => origin };
}

/**
 * The browser of `backfill connect`: opens the printed start URL (which sets the binding
 * cookie and redirects to the authorization URL), sends the authorization request to the
 * stand-in at `providerOrigin`, and returns the callback URL the provider redirects to and
 * the cookie to send with it.
 */
export async function authorizeCliConnect(startUrl: string, providerOrigin: string): Promise<{ callbackUrl: string; cookie: string }> {
  const start = await fetch(startUrl, { redirect: "manual" });
  const cookie = start.headers.getSetCookie()[0]!.split(";")[0]!;
  const auth = new URL(start.headers.get("location")!);
  const res = await fetch(`${providerOrigin}${auth.pathname}${auth.search}`, { redirect: "manual" });
  return { callbackUrl: res.headers.get("location")!, cookie };
}
