// Locks and leases across processes on PostgreSQL: several OS processes, each its own host
// (its own pool, token manager and vault) on one database, race at the same instant.
// The refresh lease: 4 processes × 250 concurrent accessToken on one expired token make one
// token request to the (real, local) token endpoint. The stream lock: one winner among 40
// attempts. A state: consumed by exactly one of 20 concurrent callbacks.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HERE, REDIRECT_URI, followAuthorization, shopifyManifest, standInTestBed } from "./oauth-fixtures.js";
import { POSTGRES_TARGET, stopPostgresAfterAll } from "./store-targets.js";

const RACER = join(HERE, "fixtures", "postgres-race", "racer.ts");
type Outcome = { ok: true; value: unknown } | { ok: false; code: string };

type Race = "tokens" | "lock" | "state" | "pages";

/** A racer process: `ready` resolves once its host is open, `go()` starts it, `done` is what it got. */
function racer(race: Race, args: Record<string, unknown>) {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=source", RACER, race, JSON.stringify(args)], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
    if (out.startsWith("ready\n")) markReady();
  });
  child.stderr.on("data", (c: Buffer) => (err += c.toString()));
  const done = new Promise<Outcome[]>((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code) => {
      markReady();
      if (code === 0) resolve(JSON.parse(out.slice("ready\n".length)) as Outcome[]);
      else reject(new Error(`racer exited ${code}: ${err}`));
    });
  });
  return { ready, done, go: () => child.stdin.end("go\n") };
}

const PROCESSES = 4;

stopPostgresAfterAll();

describe("PostgreSQL: leases and locks across processes", () => {
  const bed = standInTestBed(POSTGRES_TARGET);
  const { standIn, refreshRequests } = bed;

  async function race(kind: Race, args: Record<string, unknown>, concurrency: number): Promise<Outcome[]> {
    // Each child opens its host first; then all race together.
    const racers = Array.from({ length: PROCESSES }, () => racer(kind, { ...args, providerRoutes: standIn.providerRoutes, concurrency }));
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.go();
    return (await Promise.all(racers.map((r) => r.done))).flat();
  }

  it("4 processes × 250 concurrent accessToken on one expired token → exactly one token request", async () => {
    const shop = "cross-process.myshopify.com";
    const { host, connectionId } = await bed.connectedHost(shop);
    await host.store.tokens.setAccessTokenTimes(connectionId, { expiresAt: Date.now() + 10_000, obtainedAt: Date.now() - 3_590_000 });
    standIn.tokenDelayMs = 200;
    try {
      const outcomes = await race("tokens", { ...bed.databaseOf(host), connectionId }, 250);
      expect(outcomes).toHaveLength(PROCESSES * 250);
      expect(outcomes.filter((o) => !o.ok)).toEqual([]);
      expect(refreshRequests(shop)).toHaveLength(1);
      const fresh = createHash("sha256").update(standIn.grants.at(-1)!.access).digest("hex");
      expect(new Set(outcomes.map((o) => (o.ok ? o.value : null)))).toEqual(new Set([fresh]));
    } finally {
      standIn.tokenDelayMs = 0;
    }
  }, 120_000);

  it("processes racing for one stream lock: exactly one attempt wins", async () => {
    const host = await bed.newHost();
    const connection = await host.store.connections.create({ connectorKey: "shopify", connectorVersion: "0.1.0", settings: {}, status: "active" });
    const outcomes = await race("lock", { ...bed.databaseOf(host), connectionId: connection.id, stream: "orders" }, 10);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(outcomes.filter((o) => o.ok && o.value === true)).toHaveLength(1);
    expect(await host.store.streamLocks.owner(connection.id, "orders")).toMatch(/^racer-/);
  }, 120_000);

  it("pages committed concurrently by many processes take distinct change sequence numbers (the changes feed misses none)", async () => {
    const host = await bed.newHost();
    const outcomes = await race("pages", bed.databaseOf(host), 5);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const changes = (await host.store.db.selectFrom("records").select("change_seq").execute()).map((r) => r.change_seq);
    expect(changes).toHaveLength(PROCESSES * 5 * 20);
    expect(new Set(changes).size).toBe(changes.length);
    // Gap-free from 1: each page took the numbers after every committed one.
    expect(Math.max(...changes.map(Number))).toBe(changes.length);
  }, 120_000);

  it("a state consumed concurrently by many callbacks in many processes: one succeeds, the rest are replays", async () => {
    const host = await bed.newHost();
    const started = await host.oauth.startAuthorization({ manifest: shopifyManifest, settings: { shop_domain: "state-race.myshopify.com" }, redirectUri: REDIRECT_URI });
    const query = await followAuthorization(started.authorizationUrl, standIn.providerRoutes);
    const outcomes = await race("state", { ...bed.databaseOf(host), state: query.state }, 5);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.ok).map((o) => (o as { code: string }).code)).toEqual(Array(PROCESSES * 5 - 1).fill("state_replayed"));
  }, 120_000);
});
