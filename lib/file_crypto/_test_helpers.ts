/**
 * Helpers shared by the file_crypto tests (not part of the API).
 *
 * @module
 */

import assert from "node:assert/strict";
import { concat } from "../core/bytes.ts";
import {
  createDecryptStream,
  createEncryptStream,
  createHeader,
  deriveKek,
  keyFileKek,
  type KeyResolver,
  type KeySource,
  type UnlockedHeader,
} from "./mod.ts";
import { type FileCryptoFailure, isFileCryptoError } from "./file_crypto_error.ts";

/** A key file's key, fixed for the whole test run. */
export const KEY: Uint8Array = crypto.getRandomValues(new Uint8Array(32));

/** The cheapest scrypt cost the format accepts, so tests stay fast. */
export const FAST_SCRYPT = { logN: 10, r: 8, p: 1 } as const;

/** A plaintext of `size` bytes that differs from chunk to chunk. */
export function pattern(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

/** Cuts `bytes` into pieces of `size` (the last may be shorter); one piece when `size` is 0. */
export function pieces(bytes: Uint8Array, size = 0): Uint8Array[] {
  if (size <= 0) return [bytes];
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.slice(at, at + size));
  return out;
}

export { concat };

/** Runs `input` through `transform`, fed in pieces of `pieceSize`. */
export async function through(
  input: Uint8Array,
  transform: TransformStream<Uint8Array, Uint8Array>,
  pieceSize = 0,
): Promise<Uint8Array> {
  return concat(
    await Array.fromAsync(ReadableStream.from(pieces(input, pieceSize)).pipeThrough(transform)),
  );
}

/** A header for `size` bytes under {@linkcode KEY}, or under `passphrase` at {@linkcode FAST_SCRYPT}. */
export async function newHeader(size: number, passphrase?: string): Promise<UnlockedHeader> {
  const kek = passphrase === undefined ? keyFileKek(KEY) : await deriveKek(passphrase, FAST_SCRYPT);
  return createHeader(kek, size);
}

/** Encrypts `plaintext` with a new header (key file {@linkcode KEY} unless a passphrase is given). */
export async function encrypt(
  plaintext: Uint8Array,
  options: { passphrase?: string; pieceSize?: number } = {},
): Promise<{ header: UnlockedHeader; sealed: Uint8Array }> {
  const header = await newHeader(plaintext.length, options.passphrase);
  return {
    header,
    sealed: await through(plaintext, createEncryptStream(header), options.pieceSize),
  };
}

/** What a decrypt stream emitted before it closed or failed. */
export interface Decrypted {
  /** Every emitted byte, in order. */
  output: Uint8Array;
  /** How many arrays were emitted. */
  emitted: number;
  /** The error, or `null` when the stream closed cleanly. */
  error: unknown;
}

/** Decrypts, collecting the output as it comes, and catching the error. */
export async function decrypt(
  sealed: Uint8Array,
  unlock: KeySource | KeyResolver | UnlockedHeader = { keyFile: KEY },
  options: { pieceSize?: number; startChunk?: number } = {},
): Promise<Decrypted> {
  const parts: Uint8Array[] = [];
  let error: unknown = null;
  try {
    const stream = ReadableStream.from(pieces(sealed, options.pieceSize ?? 0)).pipeThrough(
      createDecryptStream(unlock, options.startChunk ? { startChunk: options.startChunk } : {}),
    );
    for await (const part of stream) parts.push(part);
  } catch (caught) {
    error = caught;
  }
  return { output: concat(parts), emitted: parts.length, error };
}

/**
 * Asserts that decrypting failed with `reason`, and emitted exactly the first
 * `verifiedBytes` of `plaintext` (0: nothing).
 */
export function assertRefused(
  result: Decrypted,
  reason: FileCryptoFailure,
  plaintext: Uint8Array,
  verifiedBytes: number,
  message?: RegExp,
): void {
  assert.ok(
    isFileCryptoError(result.error, reason),
    `expected a FileCryptoError "${reason}", got ${String(result.error)}`,
  );
  if (message) assert.match((result.error as Error).message, message);
  assert.equal(result.output.length, verifiedBytes, "only the verified prefix is emitted");
  assert.deepEqual(result.output, plaintext.subarray(0, verifiedBytes));
}
