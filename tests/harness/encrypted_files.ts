/**
 * Helpers for the end-to-end encryption tests: plaintexts, the layout of a
 * stored encrypted file, and the "no 16-byte run in common" check.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { CHUNK_BYTES, HEADER_BYTES, TAG_BYTES } from "../../lib/file_crypto/mod.ts";

/** The passphrase the tests encrypt with. */
export const PASSPHRASE = "an encrypted ferry, tested";

/** The environment that gives the client {@linkcode PASSPHRASE}. */
export const WITH_PASSPHRASE: Record<string, string> = { FERRY_PASSPHRASE: PASSPHRASE };

/** Bytes of one sealed full chunk in a stored file. */
export const SEALED_CHUNK = CHUNK_BYTES + TAG_BYTES;

/** Where sealed chunk `i` starts in a stored encrypted file. */
export function chunkAt(i: number): number {
  return HEADER_BYTES + i * SEALED_CHUNK;
}

/**
 * Writes `size` bytes that repeat `pattern`, streaming, and returns their
 * SHA-256: a plaintext that any weak encryption would show through.
 */
export async function writeRepeatingFile(
  path: string,
  size: number,
  pattern: Uint8Array,
): Promise<string> {
  const hash = createHash("sha256");
  const block = new Uint8Array(pattern.length * Math.ceil((1 << 20) / pattern.length));
  for (let at = 0; at < block.length; at += pattern.length) block.set(pattern, at);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (let left = size; left > 0;) {
    const piece = block.subarray(0, Math.min(left, block.length));
    hash.update(piece);
    for (let done = 0; done < piece.length;) done += await file.write(piece.subarray(done));
    left -= piece.length;
  }
  return hash.digest("hex");
}

/**
 * Finds a run of `n` bytes of `haystack` that also occurs in `source`, in
 * linear time: a bitmap of the first 3 bytes of every `n`-byte window of
 * `source` filters the positions, and only the few that pass are compared in
 * full. For a plaintext that repeats a pattern, pass the pattern twice as
 * `source` (every window of the plaintext is one of its windows).
 *
 * @returns The offset in `haystack` of a shared run, or -1.
 */
export function findSharedRun(source: Uint8Array, haystack: Uint8Array, n = 16): number {
  const windows = new Map<string, true>();
  const bitmap = new Uint8Array(1 << 21); // one bit per 24-bit prefix
  const prefix = (bytes: Uint8Array, i: number): number =>
    (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
  for (let i = 0; i + n <= source.length; i++) {
    const key = prefix(source, i);
    bitmap[key >>> 3]! |= 1 << (key & 7);
    windows.set(source.subarray(i, i + n).toHex(), true);
  }
  for (let i = 0; i + n <= haystack.length; i++) {
    const key = prefix(haystack, i);
    if ((bitmap[key >>> 3]! & (1 << (key & 7))) === 0) continue;
    if (windows.has(haystack.subarray(i, i + n).toHex())) return i;
  }
  return -1;
}
