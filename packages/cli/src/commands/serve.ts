// backfill serve: the host's HTTP server (OAuth start/callback, connector routes, the
// JSON API, health) plus a scheduler that syncs every active connection on an interval.
// Runs until SIGINT or SIGTERM, then stops the scheduler and the server cleanly.
import type { Command } from "commander";
import { AUTH_WEBHOOK_SECRET_ENV, createHostMetrics, startHostServer, startQueueWorker } from "@backfill-io/host";
import { isBackfillError } from "@backfill-io/sdk";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { PORT_IN_USE } from "../error-codes.js";
import { port, publicUrl, syncInterval } from "../option-values.js";
import { databaseUrl, openJobQueue } from "../job-queue.js";
import { authWebhookConfig, untilShutdown } from "./serve-shared.js";

export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command("serve")
    .description("run the host server (OAuth, connector routes, JSON API, health) and sync on a schedule")
    .option("--port <port>", "port on 127.0.0.1 (the OAuth redirect URI is http://127.0.0.1:<port>/oauth/callback)", port, 8976)
    .option("--interval <duration>", "how often every stream of every active connection is synced: 1m (the minimum), 15m, 1h", "15m")
    .option("--public-url <url>", "the URL browsers and providers reach this server at (redirect URIs, connect URLs, webhook URLs); default http://127.0.0.1:<port>", publicUrl)
    .option("--allowed-host <host...>", "extra Host header values to answer (default: the public URL's host, and 127.0.0.1/localhost locally)")
    .option("--return-url-origin <origin...>", "origins a connect session's returnUrl may point at (the merchant is sent back there)")
    .option("--auth-webhook-url <url>", `POST signed auth events (connection created/reconnected/reauth_required/revoked) here; secret from ${AUTH_WEBHOOK_SECRET_ENV}`)
    .option("--auth-webhook-secret-file <path>", "read the auth webhook signing secret from this file instead")
    .option("--isolate", "run every connector's routes in permission-restricted child processes (built JavaScript only; see the host README, Trust model)")
    .addHelpText(
      "after",
      `
Connector routes and the JSON API (/api/connections, /api/runs, /api/records, /api/keys,
/api/connect/sessions) need Authorization: Bearer <host API key>; create one with
backfill keys create. A merchant connects through a connect session: POST
/api/connect/sessions with {"connectors":["acme"],"endUser":{"id":"..."}} answers a
connectUrl to send them to. Each connector's redirect URI is <public URL>/oauth/callback/<key>.
Webhook routes are public and verify their own signatures. Requests whose Host header is not
the public URL's host are refused (DNS rebinding). Stop with Ctrl-C (SIGINT) or SIGTERM.

Examples:
  $ backfill serve
  $ backfill serve --port 9000 --interval 1h
  $ backfill serve --public-url https://connect.example.com
  $ backfill serve --isolate
  $ backfill serve --database-url postgres://backfill@db:5432/backfill   # with backfill worker processes
  $ curl http://127.0.0.1:8976/healthz   # /readyz: store and queue answer; /metrics: host API key`,
    )
    .action(
      async (opts: {
        port: number;
        interval: string;
        publicUrl?: string;
        allowedHost?: string[];
        returnUrlOrigin?: string[];
        authWebhookUrl?: string;
        authWebhookSecretFile?: string;
        isolate?: boolean;
      }) => {
        const intervalMs = syncInterval(opts.interval);
        const queueUrl = databaseUrl(ctx.databaseUrl());
        const authWebhook = authWebhookConfig(opts.authWebhookUrl, opts.authWebhookSecretFile);
        // Before openHost, whose postConnect runner is this runner too.
        const runner = ctx.serviceRouteRunner(opts);
        const host = await ctx.openHost();
        const queue = openJobQueue(queueUrl, host.logger);
        const metrics = createHostMetrics();
        metrics.setQueueCounts(() => queue.counts());
        let server;
        try {
          server = await startHostServer({
            host,
            runner,
            port: opts.port,
            queue,
            metrics,
            defaultIntervalMs: intervalMs,
            ...(authWebhook ? { authWebhook } : {}),
            ...(opts.returnUrlOrigin?.length ? { returnUrlOrigins: opts.returnUrlOrigin.map((o) => new URL(o).origin) } : {}),
            ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}),
            ...(opts.allowedHost?.length ? { allowedHosts: [new URL(opts.publicUrl ?? `http://127.0.0.1:${opts.port}`).host, ...opts.allowedHost] } : {}),
          });
        } catch (error) {
          // The system's code for a port in use (the host keeps it as the error's code).
          if (isBackfillError(error, ["EADDRINUSE"]))
            throw new CliError(PORT_IN_USE, `port ${opts.port} on 127.0.0.1 is in use`, "pass another one with --port (and register that redirect URI with the provider)");
          throw error;
        }
        // SQLite: this process runs the jobs (one machine). Postgres: backfill worker processes do.
        const worker = queueUrl
          ? undefined
          : await startQueueWorker({
              host,
              runner,
              queue,
              concurrency: 2,
              metrics,
              sync: { intervalFor: () => intervalMs },
              onResult: (r) => {
                if (!r.next) ctx.io.stderr(`${new Date().toISOString()} ${r.connectionId} ${r.stream}: ${r.outcome}${r.error ? ` (${r.error})` : ""}\n`);
              },
            });
        const shutdown = untilShutdown();
        ctx.io.stdout(
          [
            `backfill host listening on ${server.url}`,
            `  health:         ${server.url}/health`,
            `  public URL:     ${server.publicUrl}`,
            `  connect:        POST ${server.url}/api/connect/sessions → connectUrl (host API key)`,
            `  redirect URIs:  ${server.publicUrl}/oauth/callback/<connector>`,
            `  routes:         ${server.url}/connections/<id>/routes/<route>`,
            `  JSON API:       ${server.url}/api/connections, /api/runs, /api/records, /api/keys`,
            `  dashboard:      ${server.publicUrl}/ui (sign in with a host API key)`,
            `  health:         ${server.url}/healthz, ${server.url}/readyz; metrics: ${server.url}/metrics (host API key)`,
            worker
              ? `syncing every active connection every ${opts.interval}; Ctrl-C to stop`
              : "jobs go to the Postgres queue: run backfill worker processes to sync; Ctrl-C to stop",
            "",
          ].join("\n"),
        );
        const signal = await shutdown;
        ctx.io.stderr(`${signal}: stopping\n`);
        await worker?.stop();
        await server.close();
        await queue.close();
        ctx.io.stderr("stopped\n");
      },
    );
}
