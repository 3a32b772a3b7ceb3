// backfill connect <connector>: starts the authorization, listens for the provider's
// redirect on 127.0.0.1, and completes the connection when the callback arrives.
import { createServer, type Server } from "node:http";
import type { Command } from "commander";
import { loadConnectorDir, type LoadedConnector } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { CliError, describeError } from "../errors.js";
import { port } from "../option-values.js";
import { printJson } from "../output.js";

const CALLBACK_PATH = "/oauth/callback";

function timeoutSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--timeout ${value} is not a whole number of seconds`, "pass e.g. --timeout 600");
  return n;
}

function parseSettings(pairs: string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new CliError(`--setting ${JSON.stringify(pair)} must be name=value`, "e.g. --setting shop_domain=acme.myshopify.com");
    settings[pair.slice(0, at).trim()] = pair.slice(at + 1);
  }
  return settings;
}

async function resolveConnector(ctx: CliContext, nameOrDir: string): Promise<LoadedConnector> {
  if (nameOrDir.includes("/") || nameOrDir.startsWith(".")) {
    const loaded = await loadConnectorDir(nameOrDir);
    ctx.addConnector(loaded);
    return loaded;
  }
  const found = await ctx.connectors.get(nameOrDir);
  if (!found) {
    throw new CliError(`no connector ${nameOrDir} is installed`, `install @backfill-io/connector-${nameOrDir} in this workspace (and build it), or pass its directory: backfill connect ./connectors/${nameOrDir}`);
  }
  return found;
}

function listen(host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "EADDRINUSE" ? new CliError(`port ${port} on ${host} is in use`, "pass another one with --port (and register that redirect URI with the provider)") : e),
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
      "\nThe redirect URI is http://127.0.0.1:<port>/oauth/callback; register it with the provider's app.\n\nExamples:\n  $ backfill connect shopify --setting shop_domain=acme.myshopify.com\n  $ backfill connect square --port 9000\n  $ backfill connect shopify --connection conn_123 --setting shop_domain=acme --force",
    )
    .action(async (name: string, opts: { setting?: string[]; port: number; connection?: string; force?: boolean; timeout: number; json?: boolean }) => {
      const connector = await resolveConnector(ctx, name);
      const settings = parseSettings(opts.setting ?? []);
      const host = await ctx.openHost();
      const server = await listen("127.0.0.1", opts.port);
      try {
        const port = (server.address() as { port: number }).port;
        const redirectUri = `http://127.0.0.1:${port}${CALLBACK_PATH}`;
        const started = await host.oauth.startAuthorization({
          manifest: connector.manifest,
          settings,
          redirectUri,
          ...(opts.connection ? { connectionId: opts.connection } : {}),
          ...(opts.force ? { force: true } : {}),
        });
        ctx.io.stderr(`Open this URL to authorize ${connector.manifest.name} (waiting for the callback on ${redirectUri}):\n`);
        ctx.io.stdout(`${started.authorizationUrl}\n`);

        const result = await new Promise<Awaited<ReturnType<typeof host.oauth.completeAuthorization>>>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new CliError(`no callback within ${opts.timeout}s`, `run backfill connect ${name} again and finish the authorization in the browser`)),
            opts.timeout * 1000,
          );
          server.on("request", (req, res) => {
            const url = new URL(req.url ?? "/", redirectUri);
            if (url.pathname !== CALLBACK_PATH) {
              res.writeHead(404).end();
              return;
            }
            const query = Object.fromEntries(url.searchParams);
            host.oauth.completeAuthorization(query).then(
              (done) => {
                res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page("Connected", `${connector.manifest.name}: ${done.providerAccount.name ?? done.providerAccount.id}`));
                clearTimeout(timer);
                resolve(done);
              },
              (error: unknown) => {
                res.writeHead(400, { "content-type": "text/html; charset=utf-8" }).end(page("Connection failed", describeError(error).message));
                clearTimeout(timer);
                reject(error instanceof Error ? error : new Error(String(error)));
              },
            );
          });
        });
        if (opts.json) printJson(ctx.io, result);
        else ctx.io.stdout(`connected ${result.connectorKey} as ${result.providerAccount.name ?? result.providerAccount.id} (${result.providerAccount.id}); connection ${result.connectionId}\n`);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
    });
}
