// @backfill-io/cli: runCli(argv) runs the `backfill` command and returns its exit code.
import { CommanderError } from "commander";
import type { Host, PostConnectRunner } from "@backfill-io/host";
import { CliContext } from "./context.js";
import { CliError, describeError } from "./errors.js";
import { processIO, type CliIO } from "./io.js";
import { buildProgram, globalOptionsOf, type CommandRegistration } from "./program.js";

export type { CommandRegistration } from "./program.js";
export type { CliContext } from "./context.js";
export { CliError, type CliErrorCode } from "./errors.js";
/** The CLI's own error codes (error-codes.ts documents each). */
export * from "./error-codes.js";
export type { CliIO } from "./io.js";
export { parseDuration } from "./duration.js";
export { printJson } from "./output.js";

export type RunCliOptions = {
  io?: CliIO;
  postConnect?: (host: Host) => PostConnectRunner;
  /** Commands added to the published ones (the workspace demo adds `demo`). */
  extraCommands?: readonly CommandRegistration[];
};

export async function runCli(argv: string[], opts: RunCliOptions = {}): Promise<number> {
  const io = opts.io ?? processIO();
  const holder: { program?: ReturnType<typeof buildProgram> } = {};
  const ctx = new CliContext(io, () => (holder.program ? globalOptionsOf(holder.program) : {}), opts.postConnect);
  const program = (holder.program = buildProgram(ctx, opts.extraCommands));
  const configure = (command: ReturnType<typeof buildProgram>): void => {
    command.exitOverride();
    command.configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s), outputError: (s, write) => write(s) });
    command.commands.forEach(configure);
  };
  configure(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return error.exitCode;
    }
    const { message, fix } = describeError(error);
    io.stderr(`error: ${message}\n`);
    if (fix) io.stderr(`fix: ${fix}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  } finally {
    await ctx.close();
  }
}
