/**
 * Sizes and offsets of an encrypted file: what `put` announces up front and
 * where an interrupted transfer may resume (a chunk boundary).
 *
 * An encrypted file is a {@linkcode HEADER_BYTES}-byte header, then
 * `max(1, ceil(plainSize / chunkSize))` chunks, each its plaintext plus a
 * {@linkcode TAG_BYTES}-byte tag. Only the last chunk may be short; it is
 * empty only when the whole file is.
 *
 * @module
 */

import { TAG_LEN } from "./_primitives.ts";

/** Length of a version 1 header. */
export const HEADER_BYTES = 152;

/** log2 of {@linkcode CHUNK_BYTES}, as stored in the header. */
export const CHUNK_SIZE_LOG2 = 16;

/** Plaintext bytes per chunk (64 KiB); only the last chunk may hold fewer. */
export const CHUNK_BYTES = 2 ** CHUNK_SIZE_LOG2;

/** Length of the tag after each chunk. */
export const TAG_BYTES: number = TAG_LEN;

/** The largest plaintext (4 PiB), so that every offset stays a safe integer. */
export const MAX_PLAINTEXT_BYTES = 2 ** 52;

/** Where the parts of an encrypted file sit: header length and chunk size. */
export interface PayloadLayout {
  /** Length of the header. @default {HEADER_BYTES} */
  readonly headerSize: number;
  /** Plaintext bytes per chunk. @default {CHUNK_BYTES} */
  readonly chunkSize: number;
}

/** A layout and the plaintext size, as a parsed header has them. */
export interface SizedLayout extends PayloadLayout {
  /** The plaintext size. */
  readonly plainSize: number;
}

/** The layout of format version 1. */
export const V1_LAYOUT: PayloadLayout = Object.freeze({
  headerSize: HEADER_BYTES,
  chunkSize: CHUNK_BYTES,
});

/** A chunk boundary: the same point in the plaintext and in the ciphertext. */
export interface ChunkBoundary {
  /** The index of the chunk that starts here (the chunk count at the end). */
  readonly chunk: number;
  /** Offset in the plaintext. */
  readonly plainOffset: number;
  /** Offset in the encrypted file. */
  readonly cipherOffset: number;
}

function checkSize(what: string, value: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new RangeError(`Cannot use ${what} ${value}: expected an integer from 0 to ${max}`);
  }
}

/**
 * The number of chunks of a plaintext: at least 1 (an empty file is one empty
 * final chunk).
 *
 * @param plainSize The plaintext size.
 * @param chunkSize Plaintext bytes per chunk.
 * @returns The chunk count.
 */
export function chunkCount(plainSize: number, chunkSize: number = CHUNK_BYTES): number {
  return Math.max(1, Math.ceil(plainSize / chunkSize));
}

/**
 * The exact size of the encrypted file for a plaintext of `plainSize` bytes.
 *
 * @param plainSize The plaintext size.
 * @param layout The header length and chunk size. @default {V1_LAYOUT}
 * @returns The encrypted size, header included.
 * @throws {RangeError} When `plainSize` is negative, fractional or above {@linkcode MAX_PLAINTEXT_BYTES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encryptedSize } from "./layout.ts";
 * assert.equal(encryptedSize(0), 152 + 16);
 * assert.equal(encryptedSize(65537), 152 + 65536 + 16 + 1 + 16);
 * ```
 */
export function encryptedSize(plainSize: number, layout: PayloadLayout = V1_LAYOUT): number {
  checkSize("plaintext size", plainSize, MAX_PLAINTEXT_BYTES);
  return layout.headerSize + plainSize + chunkCount(plainSize, layout.chunkSize) * TAG_BYTES;
}

/**
 * The plaintext size of an encrypted file of `cipherSize` bytes: what `ls`
 * can show without reading the header.
 *
 * @param cipherSize The encrypted file's size.
 * @param layout The header length and chunk size. @default {V1_LAYOUT}
 * @returns The plaintext size, or `null` when no plaintext encrypts to that size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encryptedSize, plaintextSize } from "./layout.ts";
 * assert.equal(plaintextSize(encryptedSize(1_000_000)), 1_000_000);
 * assert.equal(plaintextSize(100), null);
 * ```
 */
export function plaintextSize(
  cipherSize: number,
  layout: PayloadLayout = V1_LAYOUT,
): number | null {
  const sealed = layout.chunkSize + TAG_BYTES;
  const payload = cipherSize - layout.headerSize;
  if (!Number.isSafeInteger(cipherSize) || payload < TAG_BYTES) return null;
  const full = Math.floor(payload / sealed);
  const rest = payload % sealed;
  if (rest === 0) return full * layout.chunkSize;
  if (rest < TAG_BYTES || (rest === TAG_BYTES && full > 0)) return null;
  return full * layout.chunkSize + rest - TAG_BYTES;
}

/**
 * The last chunk boundary at or before `cipherOffset`: how much plaintext a
 * prefix of the encrypted file holds in complete chunks. A prefix shorter
 * than the header holds none: the answer is then chunk 0, which starts right
 * after the header.
 *
 * @param cipherOffset Bytes of the encrypted file from its start.
 * @param header The layout and plaintext size (a parsed header).
 * @returns The boundary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chunkBoundaryForCiphertextOffset } from "./layout.ts";
 * const header = { headerSize: 152, chunkSize: 65536, plainSize: 200_000 };
 * assert.deepEqual(chunkBoundaryForCiphertextOffset(152 + 65552 + 10, header), {
 *   chunk: 1,
 *   plainOffset: 65536,
 *   cipherOffset: 152 + 65552,
 * });
 * ```
 */
export function chunkBoundaryForCiphertextOffset(
  cipherOffset: number,
  header: SizedLayout,
): ChunkBoundary {
  const total = encryptedSize(header.plainSize, header);
  checkSize("ciphertext offset", cipherOffset, Number.MAX_SAFE_INTEGER);
  if (cipherOffset >= total) {
    return {
      chunk: chunkCount(header.plainSize, header.chunkSize),
      plainOffset: header.plainSize,
      cipherOffset: total,
    };
  }
  const chunk = Math.max(
    0,
    Math.floor((cipherOffset - header.headerSize) / (header.chunkSize + TAG_BYTES)),
  );
  return chunkStart(chunk, header);
}

/**
 * Where a download that kept `plainOffset` bytes of verified plaintext
 * continues: the start of the chunk holding byte `plainOffset`. An offset at
 * or past the end gives the start of the last chunk, which is fetched again,
 * so the answer is always a valid `startChunk` for the decrypt stream.
 *
 * @param plainOffset Bytes of plaintext kept, from its start.
 * @param header The layout and plaintext size (a parsed header).
 * @returns The boundary, at or before `plainOffset`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chunkBoundaryForPlaintextOffset } from "./layout.ts";
 * const header = { headerSize: 152, chunkSize: 65536, plainSize: 200_000 };
 * assert.deepEqual(chunkBoundaryForPlaintextOffset(140_000, header), {
 *   chunk: 2,
 *   plainOffset: 131072,
 *   cipherOffset: 152 + 2 * 65552,
 * });
 * ```
 */
export function chunkBoundaryForPlaintextOffset(
  plainOffset: number,
  header: SizedLayout,
): ChunkBoundary {
  checkSize("plaintext offset", plainOffset, Number.MAX_SAFE_INTEGER);
  const last = chunkCount(header.plainSize, header.chunkSize) - 1;
  return chunkStart(Math.min(Math.floor(plainOffset / header.chunkSize), last), header);
}

/**
 * The plaintext that a prefix of `cipherOffset` encrypted bytes holds in
 * complete (verifiable) chunks.
 *
 * @param cipherOffset Bytes of the encrypted file from its start.
 * @param header The layout and plaintext size (a parsed header).
 * @returns A plaintext offset on a chunk boundary, or the plaintext size.
 */
export function plaintextOffsetForCiphertextOffset(
  cipherOffset: number,
  header: SizedLayout,
): number {
  return chunkBoundaryForCiphertextOffset(cipherOffset, header).plainOffset;
}

function chunkStart(chunk: number, layout: PayloadLayout): ChunkBoundary {
  return {
    chunk,
    plainOffset: chunk * layout.chunkSize,
    cipherOffset: layout.headerSize + chunk * (layout.chunkSize + TAG_BYTES),
  };
}
