// How the vault notices another process's rotation. The vault's encrypt/decrypt are
// synchronous, so what it consults must be too: on SQLite a prepared single-row read over the
// database's own connection, per use (the keyring itself only when it changed); on PostgreSQL
// (no synchronous driver) a cache of the generation and keys, loaded asynchronously, polled,
// and refreshed at once after this process's own rotation.
import type { VaultKeysTable } from "../store/schema.js";
import type { KeyringRepository } from "../store/repositories/keyring.js";

export type KeyringReader = {
  /** The keyring's generation (vault_keyring), bumped by every rotation. */
  generation(): number;
  rows(): VaultKeysTable[];
  /** Re-reads the keyring now (after this process rotated it); absent when every read is live. */
  refresh?(): Promise<void>;
  close?(): void;
};

/** How often a cached keyring re-reads the generation by default. */
export const KEYRING_POLL_MS = 1000;

/**
 * The keyring as last read, re-read every `pollMs`. The generation is read before the keys:
 * a rotation committing in between leaves newer keys under an older generation, which the
 * next poll corrects, never the reverse (an old keyring taken for the new one).
 */
export class CachedKeyringReader implements KeyringReader {
  private cachedGeneration = 0;
  private cachedRows: VaultKeysTable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> = Promise.resolve();

  private constructor(private readonly keyring: KeyringRepository) {}

  static async start(keyring: KeyringRepository, opts: { pollMs?: number } = {}): Promise<CachedKeyringReader> {
    const reader = new CachedKeyringReader(keyring);
    await reader.refresh();
    reader.timer = setInterval(() => {
      // A failed poll (the server restarting) keeps the last keyring; the next one retries.
      reader.polling = reader.polling.then(() => reader.poll()).catch(() => undefined);
    }, opts.pollMs ?? KEYRING_POLL_MS);
    reader.timer.unref();
    return reader;
  }

  generation(): number {
    return this.cachedGeneration;
  }

  rows(): VaultKeysTable[] {
    return this.cachedRows;
  }

  async refresh(): Promise<void> {
    const generation = await this.keyring.generation();
    const rows = await this.keyring.listKeys();
    this.cachedRows = rows;
    this.cachedGeneration = generation;
  }

  private async poll(): Promise<void> {
    if ((await this.keyring.generation()) !== this.cachedGeneration) await this.refresh();
  }

  close(): void {
    clearInterval(this.timer);
  }
}
