// Square's seeds are strings and numbers (FNV-1a hashes them into mulberry32's seed), and its
// opaque ids. The helpers every emulator shares (randomInt, pick) are in common/random.ts.

import { hashString, mulberry32, type Random } from "../common/random.js";

export type { Random } from "../common/random.js";

export function hashSeed(...parts: Array<string | number>): number {
  return hashString(parts.join("\u0000"));
}

export function createRandom(...seedParts: Array<string | number>): Random {
  return mulberry32(hashSeed(...seedParts));
}

const ID_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ0123456789";

/** A Square-looking opaque id (upper-case alphanumerics) of `length` characters. */
export function randomId(random: Random, length: number, prefix = ""): string {
  let id = prefix;
  while (id.length < length) id += ID_ALPHABET[Math.floor(random() * ID_ALPHABET.length)];
  return id;
}
