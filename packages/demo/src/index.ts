// @backfill-io/demo (private): the end-to-end demo as a command of the `backfill` program, and
// the demo environment (both emulators, the host, both connectors) the end-to-end tests start.
import { runCli, type CliIO } from "@backfill-io/cli";
import { registerDemo } from "./demo-command.js";

export { registerDemo } from "./demo-command.js";

/** `backfill-demo <args>`: every published `backfill` command, plus `demo`. */
export function runDemoCli(argv: string[], io?: CliIO): Promise<number> {
  return runCli(argv, { extraCommands: [registerDemo], ...(io ? { io } : {}) });
}
