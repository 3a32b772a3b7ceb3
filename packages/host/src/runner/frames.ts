// Length-prefixed frames for the isolated child's pipes: uint32 big-endian length, then the
// value as v8.serialize (structured clone, like postMessage: Uint8Array bodies survive).
import { deserialize, serialize } from "node:v8";

const HEADER_BYTES = 4;
/** A frame larger than this is a protocol error, not a message (HTTP bodies are capped well below). */
export const MAX_FRAME_BYTES = 256 * 2 ** 20;

export function encodeFrame(value: unknown): Buffer {
  const body = serialize(value);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(body.length);
  return Buffer.concat([header, body]);
}

/** Decodes frames from a byte stream, across chunk boundaries. */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  /** The complete frames in `chunk` (and what came before it). Throws on an oversized frame. */
  push(chunk: Buffer): unknown[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: unknown[] = [];
    while (this.buffered.length >= HEADER_BYTES) {
      const length = this.buffered.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) throw new Error(`frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
      if (this.buffered.length < HEADER_BYTES + length) break;
      frames.push(deserialize(this.buffered.subarray(HEADER_BYTES, HEADER_BYTES + length)));
      this.buffered = this.buffered.subarray(HEADER_BYTES + length);
    }
    return frames;
  }
}

/** Reads one frame synchronously from `readExactly` (the child's blocking side). */
export function readFrameSync(readExactly: (bytes: number) => Buffer): unknown {
  const length = readExactly(HEADER_BYTES).readUInt32BE(0);
  if (length > MAX_FRAME_BYTES) throw new Error(`frame of ${length} bytes exceeds ${MAX_FRAME_BYTES}`);
  return deserialize(readExactly(length));
}
