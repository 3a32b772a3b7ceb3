// Where the CLI reads and writes: the real process streams, or buffers in tests.
import { createInterface } from "node:readline";
import { Writable, type Readable } from "node:stream";

export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  stdin: Readable & { isTTY?: boolean };
  /** Reads a secret: all of stdin when piped, else a prompt that does not echo. */
  readSecret(prompt: string): Promise<string>;
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

function hiddenPrompt(prompt: string, input: Readable, output: NodeJS.WriteStream): Promise<string> {
  return new Promise((resolve) => {
    output.write(prompt);
    const muted = new Writable({ write: (_c, _e, cb) => cb() });
    const rl = createInterface({ input, output: muted, terminal: true });
    rl.question("", (answer) => {
      rl.close();
      output.write("\n");
      resolve(answer);
    });
  });
}

export function processIO(): CliIO {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    stdin: process.stdin,
    async readSecret(prompt) {
      if (!process.stdin.isTTY) return (await readAll(process.stdin)).replace(/\r?\n$/, "");
      return hiddenPrompt(prompt, process.stdin, process.stderr);
    },
  };
}

export { readAll };
