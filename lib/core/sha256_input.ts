/**
 * The SHA-256 of bytes read to their end, such as a stored file as a back
 * end serves it, through one buffer reused for every read.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { type ByteInput, ViewReader } from "./byte_source.ts";

/** Bytes read at a time when hashing, unless told otherwise. */
export const HASH_READ_BYTES = 256 * 1024;

/** Options of {@linkcode sha256OfInput}. */
export interface Sha256Options {
  /** Stops between reads (the input is then cancelled). */
  signal?: AbortSignal;
  /** The size of the one buffer read into. @default {HASH_READ_BYTES} */
  bufferBytes?: number;
}

/**
 * Reads `input` to its end and returns its SHA-256. Memory stays at one
 * buffer whatever the size. On a failure or an abort the input is cancelled
 * (an open file behind it is released) and the error thrown.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryByteSource } from "./byte_source.ts";
 * import { sha256OfInput } from "./sha256_input.ts";
 * const bytes = new TextEncoder().encode("hello");
 * assert.equal(
 *   await sha256OfInput(memoryByteSource(bytes), { bufferBytes: 2 }),
 *   "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
 * );
 * ```
 *
 * @param input A source or stream.
 * @param options An abort signal and the buffer size.
 * @returns The lowercase hex digest.
 */
export async function sha256OfInput(
  input: ByteInput,
  options: Sha256Options = {},
): Promise<string> {
  const reader = new ViewReader(input);
  const hash = createHash("sha256");
  try {
    // A BYOB read hands the memory back in a new ArrayBuffer: read into that one next.
    let buffer = new ArrayBuffer(options.bufferBytes ?? HASH_READ_BYTES);
    for (let read = await reader.read(new Uint8Array(buffer)); read !== null;) {
      options.signal?.throwIfAborted();
      hash.update(read);
      buffer = read.buffer as ArrayBuffer;
      read = await reader.read(new Uint8Array(buffer));
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw error;
  }
  return hash.digest("hex");
}
