// Small deterministic PRNG (mulberry32 seeded by FNV-1a) so a seed always yields the same data
// and the same fault schedule, on every platform and Node version.

export type Random = () => number;

export function hashSeed(...parts: Array<string | number>): number {
  let hash = 0x811c9dc5;
  for (const char of parts.join("\u0000")) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function createRandom(...seedParts: Array<string | number>): Random {
  let state = hashSeed(...seedParts);
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max], inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

const ID_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ0123456789";

/** A Square-looking opaque id (upper-case alphanumerics) of `length` characters. */
export function randomId(random: Random, length: number, prefix = ""): string {
  let id = prefix;
  while (id.length < length) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return id;
}
