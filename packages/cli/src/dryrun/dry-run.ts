// A stream run against the live (or emulated) provider that commits nothing: each page runs
// in the route runner like a sync, its staged checkpoint feeds the next page in memory
// only, and every staged record is compared with the store to say what a sync would change.
// With `record`, each provider exchange is kept (method, URL, status, content type, body:
// never a request header, so never the token) for fixtures.
import { BackfillError, redact, registerSecret, type CheckpointState } from "@backfill-io/sdk";
import { decideRecordCommit, payloadHash, recordVersion, type RecordCommitDecision } from "@backfill-io/sdk/policy";
import { hostConnectionServices, type ConnectionServices, type Host, type HttpTransport, type RouteRunner, type StagedRecord } from "@backfill-io/host";

export type RecordedExchange = {
  request: { method: string; url: string };
  response: { status: number; headers: Record<string, string>; body: string };
};

export type DryRunPage = {
  status: number;
  records: (StagedRecord & { change: RecordCommitDecision })[];
  rejected: number;
  hasMore: boolean;
  checkpoint: CheckpointState | null;
  exchanges: RecordedExchange[];
  /** The route's error message, when it did not answer 2xx. */
  error?: string;
};

export type DryRunResult = { connectionId: string; connectorKey: string; stream: string; pages: DryRunPage[]; ok: boolean };

import { UNKNOWN_STREAM } from "../error-codes.js";

/** What committing `record` would do to the stored one (insert, update, unchanged, stale, suppressed). */
async function changeOf(host: Host, connectionId: string, record: StagedRecord): Promise<RecordCommitDecision> {
  const stored = await host.store.records.state(connectionId, record.kind, record.idempotencyKey);
  return decideRecordCommit(stored, { payloadHash: payloadHash(record.payload), version: recordVersion(record.kind, record.payload) });
}

function recordingTransport(inner: HttpTransport, into: RecordedExchange[]): HttpTransport {
  return async (req) => {
    const res = await inner(req);
    into.push({
      request: { method: req.method, url: req.url.href },
      // Only the content type is kept: other response headers may carry cookies or ids.
      response: { status: res.status, headers: res.headers["content-type"] ? { "content-type": res.headers["content-type"] } : {}, body: redact(res.body.toString("utf8")) },
    });
    return res;
  };
}

function errorMessage(bodyText: string): string | undefined {
  try {
    return (JSON.parse(bodyText) as { error?: { message?: string } }).error?.message;
  } catch {
    return undefined;
  }
}

export async function dryRunStream(host: Host, runner: RouteRunner, opts: { connectionId: string; stream: string; pages: number; record: boolean }): Promise<DryRunResult> {
  const resolved = await hostConnectionServices(host, opts.connectionId);
  const streamDef = resolved.manifest.streams.find((s) => s.name === opts.stream);
  if (!streamDef) {
    const names = resolved.manifest.streams.map((s) => s.name);
    throw new BackfillError(
      UNKNOWN_STREAM,
      `connector ${resolved.manifest.key} has no stream ${opts.stream}`,
      { stream: opts.stream, streams: names },
      { fix: `pass one of: ${names.join(", ") || "(none)"}` },
    );
  }
  const result: DryRunResult = { connectionId: opts.connectionId, connectorKey: resolved.manifest.key, stream: opts.stream, pages: [], ok: true };
  let inMemory: CheckpointState | undefined;
  for (let n = 0; n < opts.pages; n++) {
    const exchanges: RecordedExchange[] = [];
    const base = resolved.services;
    const services: ConnectionServices = {
      ...base,
      // The token goes to the redactor before any response is recorded: an echo of it is never saved.
      accessToken: async (o) => {
        const token = await base.accessToken(o);
        registerSecret(token);
        return token;
      },
      committedCheckpoint: async (stream) => (stream === opts.stream && n > 0 ? inMemory : await base.committedCheckpoint(stream)),
      ...(opts.record && base.transport ? { transport: recordingTransport(base.transport, exchanges) } : {}),
    };
    const run = await runner.runRoute({ routesDir: resolved.routesDir, services, route: streamDef.route, method: "POST" });
    const ok = run.outcome === "ok" && run.status >= 200 && run.status < 300;
    const checkpoint = run.staged.checkpoints.find((c) => c.stream === opts.stream);
    const records = [];
    for (const r of run.staged.records) records.push({ ...r, change: await changeOf(host, opts.connectionId, r) });
    const message = ok ? undefined : (errorMessage(run.bodyText) ?? (run.outcome === "ok" ? `route answered ${run.status}` : run.outcome));
    result.pages.push({
      status: run.status,
      records,
      rejected: run.staged.rejected,
      hasMore: ok && !!checkpoint?.hasMore,
      checkpoint: checkpoint?.state ?? null,
      exchanges,
      ...(message ? { error: message } : {}),
    });
    if (!ok) {
      result.ok = false;
      break;
    }
    if (!checkpoint?.hasMore) break;
    inMemory = checkpoint.state;
  }
  return result;
}
