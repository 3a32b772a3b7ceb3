// backfill keys rotate. The `keys` group is created here and returned, so the host API
// key commands (keys create | list | revoke) register under the same group.
//   keys rotate [--data-key]                    a new data key; every secret re-encrypted (same master key)
//   keys rotate --new-master-key <file|->       the keyring re-wrapped under a new master key, plus a new data key
//   keys rotate --generate                      the same with a generated key, written to <data dir>/master.key
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { MASTER_KEY_ENV, generateMasterKey, parseMasterKey, rotateMasterKey, type Host } from "@backfill-io/host";
import type { CliContext } from "../context.js";
import { CliError } from "../errors.js";
import { CONFLICTING_OPTIONS, MASTER_KEY_FILE_NOT_FOUND, SECRET_IN_ARGUMENT } from "../error-codes.js";
import { printJson } from "../output.js";

type RotateOptions = { json?: boolean; dataKey?: boolean; newMasterKey?: string; generate?: boolean };

const PIPE_FIX = `write it to a file only you can read and pass its path, or pipe it: printf %s "$NEW_KEY" | backfill keys rotate --new-master-key -`;

/** The new master key from a file or stdin (`-`); a key typed as the argument is refused (shell history, ps). */
async function readNewMasterKey(ctx: CliContext, from: string): Promise<Buffer> {
  if (from === "-") return parseMasterKey(await ctx.io.readSecret("new master key (base64 of 32 bytes): "), "the new master key on stdin");
  if (!existsSync(from)) {
    if (Buffer.from(from, "base64").length === 32) {
      throw new CliError(SECRET_IN_ARGUMENT, "--new-master-key takes a file or -, never the key itself (an argument is visible in shell history and ps)", PIPE_FIX);
    }
    throw new CliError(MASTER_KEY_FILE_NOT_FOUND, `cannot read the new master key: ${from} does not exist`, `pass an existing file, or - to read the key from stdin; ${PIPE_FIX}`);
  }
  return parseMasterKey(readFileSync(from, "utf8"), from);
}

function checkOneMode(opts: RotateOptions): void {
  const chosen = [opts.dataKey && "--data-key", opts.newMasterKey !== undefined && "--new-master-key", opts.generate && "--generate"].filter(Boolean);
  if (chosen.length > 1) {
    throw new CliError(
      CONFLICTING_OPTIONS,
      `${chosen.join(" and ")} cannot be combined`,
      "pass one: --data-key (new data key), --new-master-key <file|-> or --generate (new master key, which renews the data key too)",
    );
  }
}

async function rotateMaster(ctx: CliContext, host: Host, newKey: Buffer, opts: RotateOptions): Promise<void> {
  // A key from the data dir is replaced there; one from BACKFILL_MASTER_KEY is the operator's to store,
  // unless it was generated here: then the data dir is the only place it exists.
  const persist = host.masterKey.file !== null || opts.generate ? "data-dir" : "none";
  const result = await rotateMasterKey(host, newKey, { persist });
  if (opts.json) return printJson(ctx.io, result);
  ctx.io.stdout(
    `re-wrapped the keyring under the new master key and rotated to data key ${result.keyId}: ${result.reencrypted} value(s) re-encrypted; the old master key opens nothing now\n`,
  );
  if (result.masterKeyFile) ctx.io.stdout(`new master key written to ${result.masterKeyFile} (mode 0600); back it up\n`);
  if (host.masterKey.file === null) {
    const where = result.masterKeyFile ? `to the content of ${result.masterKeyFile}, or unset it to use that file` : "to the new key";
    ctx.io.stderr(`this host reads ${MASTER_KEY_ENV}: set it ${where} before the next start; running hosts refuse secrets until restarted with it\n`);
  }
  if (!result.walTruncated) ctx.io.stderr("another process is reading the database; its write-ahead log is emptied at the next checkpoint\n");
}

export function registerKeys(program: Command, ctx: CliContext): Command {
  const keys = program
    .command("keys")
    .description("encryption keys (rotate) and host API keys (create, list, revoke)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ backfill keys rotate\n  $ backfill keys rotate --generate\n  $ backfill keys create --name billing-sync\n  $ backfill keys list\n  $ backfill keys revoke key_3f9a0c1d2e4b5a69",
    );
  keys
    .command("rotate")
    .description("rotate the data key (default), or the master key with --new-master-key <file|-> or --generate")
    .option("--data-key", "a new data key, every stored secret re-encrypted with it (the default)")
    .option("--new-master-key <file|->", "re-wrap the keyring under the master key in this file, or on stdin with -")
    .option("--generate", "re-wrap the keyring under a newly generated master key, written to <data dir>/master.key (0600)")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
A data-key rotation re-encrypts every secret; a master-key rotation also re-wraps the
keyring, so a leaked master key opens nothing afterwards. Running hosts pick up either
one on their next use of a secret; a host started with the old ${MASTER_KEY_ENV} refuses
secrets (master_key_rotated) until restarted with the new one.

Examples:
  $ backfill keys rotate
  $ backfill keys rotate --json | jq .reencrypted
  $ backfill keys rotate --generate
  $ openssl rand -base64 32 > /secure/new.key && backfill keys rotate --new-master-key /secure/new.key
  $ vault read -field=key secret/backfill | backfill keys rotate --new-master-key -`,
    )
    .action(async (opts: RotateOptions) => {
      checkOneMode(opts);
      const newKey = opts.generate ? generateMasterKey() : opts.newMasterKey !== undefined ? await readNewMasterKey(ctx, opts.newMasterKey) : undefined;
      const host = await ctx.openHost();
      if (newKey) return rotateMaster(ctx, host, newKey, opts);
      const result = await host.vault.rotateDataKey();
      if (opts.json) return printJson(ctx.io, result);
      ctx.io.stdout(`rotated to data key ${result.keyId}: ${result.reencrypted} value(s) re-encrypted; retired ${result.previousKeyIds.join(", ")}\n`);
    });
  return keys;
}
