// backfill connect <connector>: mints a connect session for itself (it holds the data dir,
// as an operator), listens on 127.0.0.1, and prints a local start URL. Opening it sets the
// browser-binding cookie and redirects to the provider; the provider's redirect comes back
// to /oauth/callback/<connector> on the same listener, in the same browser. Callbacks that
// fail (a forged state, another browser) get an error page, and the command keeps waiting
// for the genuine one.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Command } from "commander";
import { createConnectSession, createReconnectSession, findConnectSession, loadConnectorDir, type Host, type LoadedConnector } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { CliError, describeError } from "../errors.js";
import { CALLBACK_TIMEOUT, INVALID_OPTION_VALUE, PORT_IN_USE } from "../error-codes.js";
import { CONNECTOR_NOT_FOUND } from "@backfill-io/sdk";
import { port } from "../option-values.js";
import { printJson } from "../output.js";
import { rememberConnectorDir } from "../connector-registry.js";
import { enableTypeScriptImports } from "../typescript-loader.js";

const START_PATH = "/start";
/** Refusals that leave the state unspent: the genuine callback of this flow may still come. */
const LEAVES_STATE = new Set(["browser_mismatch", "connector_mismatch", "unknown_state"]);
const BINDING_COOKIE = "bf_cli_oauth";

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** The session the CLI mints for itself: the connector, the settings given, and the connection to reconnect. */
async function mintOwnSession(host: Host, connector: LoadedConnector, settings: Record<string, string>, connectionId: string | undefined) {
  const deps = { store: host.store, vault: host.vault, manifest: async (key: string) => (key === connector.key ? connector.manifest : (await host.connectors.get(key))?.manifest) };
  const minted = connectionId
    ? await createReconnectSession(deps, { connectionId, settings }, null)
    : await createConnectSession(deps, { connectors: [connector.key], endUser: { id: "cli" }, settings }, null);
  return minted.token;
}

function timeoutSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(INVALID_OPTION_VALUE, `--timeout ${value} is not a whole number of seconds`, "pass e.g. --timeout 600");
  return n;
}

function parseSettings(pairs: string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new CliError(INVALID_OPTION_VALUE, `--setting ${JSON.stringify(pair)} must be name=value`, "e.g. --setting tenant=globex");
    settings[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return settings;
}

async function resolveConnector(ctx: CliContext, nameOrDir: string): Promise<LoadedConnector> {
  if (nameOrDir.includes("/") || nameOrDir.startsWith(".")) {
    // From source when tsx can load it: a workspace connector needs no build.
    const loaded = await loadConnectorDir(nameOrDir, { prefer: (await enableTypeScriptImports()) ? "source" : "dist" });
    ctx.addConnector(loaded);
    return loaded;
  }
  const found = await ctx.connectors.get(nameOrDir);
  if (!found) {
    throw new CliError(
      CONNECTOR_NOT_FOUND,
      `no connector ${nameOrDir} is installed`,
      `create it with backfill new ${nameOrDir} (workspace connectors/* are found), install @backfill-io/connector-${nameOrDir}, or pass its directory: backfill connect ./path/to/${nameOrDir}`,
    );
  }
  return found;
}

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new CliError(PORT_IN_USE, `port ${port} on ${host} is in use`, "pass another one with --port (and register that redirect URI with the provider)")
          : e,
      ),
    );
    server.listen(port, host, () => resolve(server));
  });
}

const page = (title: string, text: string) =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font-family:sans-serif"><h1>${title}</h1><p>${text.replace(/[<>&]/g, "")}</p><p>You can close this tab.</p>`;

export function registerConnect(program: Command, ctx: CliContext): void {
  program
    .command("connect")
    .description("connect a provider account with host-managed OAuth")
    .argument("<connector>", "connector key (from @backfill-io/connector-<key>) or directory")
    .option("--setting <name=value...>", "connection setting (repeatable)", (v: string, prev: string[] = []) => [...prev, v])
    .option("--port <port>", "local callback port (the redirect URI registered with the provider)", port, 8976)
    .option("--connection <id>", "reconnect this existing connection")
    .option("--force", "allow the reconnect to land on a different provider account")
    .option("--timeout <seconds>", "how long to wait for the callback", timeoutSeconds, 600)
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      "\nThe redirect URI is http://127.0.0.1:<port>/oauth/callback/<connector>; register it with the provider's app.\nOpen the printed URL in a browser on this machine: it sets a cookie that binds the callback to that browser.\n\nExamples:\n  $ backfill connect acme --setting tenant=globex\n  $ backfill connect acme --port 9000\n  $ backfill connect acme --connection conn_123 --setting tenant=globex --force",
    )
    .action(async (name: string, opts: { setting?: string[]; port: number; connection?: string; force?: boolean; timeout: number; json?: boolean }) => {
      const connector = await resolveConnector(ctx, name);
      const settings = parseSettings(opts.setting ?? []);
      const host = await ctx.openHost();
      const server = await listen("127.0.0.1", opts.port);
      try {
        const port = (server.address() as { port: number }).port;
        const callbackPath = `/oauth/callback/${connector.key}`;
        const redirectUri = `http://127.0.0.1:${port}${callbackPath}`;
        const binding = randomBytes(32).toString("base64url");
        const started = await host.oauth.startAuthorization({
          manifest: connector.manifest,
          settings: {},
          redirectUri,
          session: await findConnectSession(host.store, host.vault, await mintOwnSession(host, connector, settings, opts.connection)),
          browserBinding: binding,
          ...(opts.force ? { force: true } : {}),
        });
        // A failed callback with another state (forged, or from another flow) does not end this one.
        const ownState = new URL(started.authorizationUrl).searchParams.get("state");
        const startUrl = `http://127.0.0.1:${port}${START_PATH}`;
        ctx.io.stderr(`Open this URL to authorize ${connector.manifest.name} (redirect URI ${redirectUri}; waiting for the callback):\n`);
        ctx.io.stdout(`${startUrl}\n`);

        const result = await new Promise<Awaited<ReturnType<typeof host.oauth.completeAuthorization>>>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new CliError(CALLBACK_TIMEOUT, `no callback within ${opts.timeout}s`, `run backfill connect ${name} again and finish the authorization in the browser`)),
            opts.timeout * 1000,
          );
          server.on("request", (req, res) => {
            const url = new URL(req.url ?? "/", redirectUri);
            if (url.pathname === START_PATH) {
              res
                .writeHead(302, {
                  location: started.authorizationUrl,
                  "set-cookie": `${BINDING_COOKIE}=${binding}; HttpOnly; SameSite=Lax; Path=/; Max-Age=600`,
                  "cache-control": "no-store",
                })
                .end();
              return;
            }
            if (url.pathname !== callbackPath) {
              res.writeHead(404).end();
              return;
            }
            const query = Object.fromEntries(url.searchParams);
            host.oauth.completeAuthorization(query, { connectorKey: connector.key, browserBinding: cookieValue(req, BINDING_COOKIE) ?? "" }).then(
              (done) => {
                res
                  .writeHead(200, { "content-type": "text/html; charset=utf-8" })
                  .end(page("Connected", `${connector.manifest.name}: ${done.providerAccount.name ?? done.providerAccount.id}`));
                clearTimeout(timer);
                resolve(done);
              },
              (error: unknown) => {
                res.writeHead(400, { "content-type": "text/html; charset=utf-8" }).end(page("Connection failed", describeError(error).message));
                if (query.state !== ownState || LEAVES_STATE.has((error as { code?: string }).code ?? "")) {
                  // A forged or foreign callback: the genuine one may still come.
                  ctx.io.stderr(`refused a callback (${describeError(error).message}); still waiting\n`);
                  return;
                }
                clearTimeout(timer);
                reject(error instanceof Error ? error : new Error(String(error)));
              },
            );
          });
        });
        // Later commands (sync, dryrun, serve) find a connector given by directory without BACKFILL_CONNECTOR_DIRS.
        if (connector.packageDir && name !== connector.key) rememberConnectorDir(ctx.dataDir(), connector.key, connector.packageDir);
        if (opts.json) printJson(ctx.io, result);
        else
          ctx.io.stdout(
            `connected ${result.connectorKey} as ${result.providerAccount.name ?? result.providerAccount.id} (${result.providerAccount.id}); connection ${result.connectionId}\n`,
          );
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
}
