// The benchmarks' provider in a process of its own: the host CPU rows measure the host's
// process, so a provider served from it would count its JSON and HTTP work as the host's.
// Run as a script it serves `customerPages(pages, perPage)` on 127.0.0.1 and prints its port.
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { customerPages, startServer } from "../test/runner/support.js";

export type ProviderProcess = { port: number; base: string; close(): Promise<void> };

/** Starts the provider child and waits for its port. */
export async function startProviderProcess(pages: number, perPage: number): Promise<ProviderProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [String(pages), String(perPage)], {
    execArgv: ["--import", "tsx", "--conditions=source"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const [message] = (await once(child, "message")) as [{ port: number }];
  return {
    port: message.port,
    base: `http://127.0.0.1:${message.port}`,
    async close() {
      const exited = once(child, "exit");
      child.kill();
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const pages = customerPages(Number(process.argv[2]), Number(process.argv[3]));
  const bodies = new Map<number, string>();
  const server = await startServer((req, res) => {
    const page = Number(new URL(req.url ?? "/", "http://x").searchParams.get("page") ?? 1);
    if (!bodies.has(page)) bodies.set(page, JSON.stringify(pages(page)));
    res.writeHead(200, { "content-type": "application/json" });
    res.end(bodies.get(page));
  });
  process.send!({ port: server.port });
  process.on("SIGTERM", () => void server.close().then(() => process.exit(0)));
}
