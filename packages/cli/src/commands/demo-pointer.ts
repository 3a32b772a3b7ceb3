// `backfill demo` in the published CLI: the demo lives in the repository's private
// packages/demo (it needs the emulators and both connectors, which the CLI does not depend
// on), so the command here only says where it is, instead of commander's "unknown command".
import type { Command } from "commander";
import { CliError } from "../errors.js";
import { DEMO_NOT_PUBLISHED } from "../error-codes.js";

/** Exit status of a command this CLI does not run (a usage error). */
const USAGE_EXIT_CODE = 2;

export function registerDemoPointer(program: Command): void {
  program
    .command("demo", { hidden: true })
    .description("the end-to-end demo: runs from a clone of the repository (npm run demo)")
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliError(
        DEMO_NOT_PUBLISHED,
        "the demo is not part of the published backfill CLI",
        "in a clone of the Backfill connectors repository, run npm run demo",
        USAGE_EXIT_CODE,
      );
    });
}
