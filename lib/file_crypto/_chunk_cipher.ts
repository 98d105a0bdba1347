/**
 * The STREAM construction over one file's chunks (as in age and Tink): the
 * payload key comes from the file key and the file salt through HKDF, and
 * chunk `i` is sealed with the nonce `i || final`. Private to
 * `lib/file_crypto/`.
 *
 * @module
 */

import { field } from "./_header_fields.ts";
import { chunkNonce, hkdf, KEY_BYTES, LABELS, open, seal } from "./_primitives.ts";
import { FileCryptoError } from "./file_crypto_error.ts";
import type { UnlockedHeader } from "./header.ts";
import { chunkCount, TAG_BYTES } from "./layout.ts";

const EMPTY = new Uint8Array(0);

/** How far from its place a misplaced chunk is looked for, on the error path only. */
const SEARCH_RADIUS = 8;

/** Seals and opens the chunks of one file. */
export class ChunkCipher {
  readonly #key: Uint8Array;
  readonly #nonce = new Uint8Array(12);
  readonly #header: UnlockedHeader;
  /** Index of the last chunk. */
  readonly lastIndex: number;

  constructor(header: UnlockedHeader) {
    this.#header = header;
    this.#key = hkdf(header.fileKey, field(header, "fileSalt"), LABELS.payload, KEY_BYTES);
    this.lastIndex = chunkCount(header.plainSize, header.chunkSize) - 1;
  }

  /** Plaintext bytes of chunk `index`. */
  plainLength(index: number): number {
    const { plainSize, chunkSize } = this.#header;
    return index < this.lastIndex ? chunkSize : plainSize - this.lastIndex * chunkSize;
  }

  /** Offset of chunk `index`'s first sealed byte in the encrypted file. */
  cipherOffset(index: number): number {
    return this.#header.headerSize + index * (this.#header.chunkSize + TAG_BYTES);
  }

  /** Seals chunk `index` (final when it is the last). */
  seal(index: number, plaintext: Uint8Array): Uint8Array {
    return seal(
      this.#key,
      chunkNonce(index, index === this.lastIndex, this.#nonce),
      EMPTY,
      plaintext,
    );
  }

  /**
   * Opens chunk `index`; returns its plaintext only once the tag verified.
   *
   * @throws {FileCryptoError} `reordered` when the bytes are another chunk of
   *   this file, `chunk_modified` otherwise.
   */
  open(index: number, sealed: Uint8Array): Uint8Array {
    const final = index === this.lastIndex;
    const plaintext = open(this.#key, chunkNonce(index, final, this.#nonce), EMPTY, sealed);
    if (plaintext) return plaintext;
    throw this.#diagnose(index, final, sealed);
  }

  #opensAs(index: number, final: boolean, sealed: Uint8Array): boolean {
    return open(this.#key, chunkNonce(index, final, this.#nonce), EMPTY, sealed) !== null;
  }

  #diagnose(index: number, final: boolean, sealed: Uint8Array): FileCryptoError {
    const from = Math.max(0, index - SEARCH_RADIUS);
    const to = Math.min(this.lastIndex, index + SEARCH_RADIUS);
    for (let other = from; other <= to; other++) {
      for (const otherFinal of [false, true]) {
        if (
          (other === index && otherFinal === final) || !this.#opensAs(other, otherFinal, sealed)
        ) {
          continue;
        }
        const what = other === index
          ? `it is marked ${otherFinal ? "final" : "not final"}`
          : `it holds chunk ${other}`;
        return new FileCryptoError(
          "reordered",
          `Cannot decrypt chunk ${index}: ${what}: chunks were dropped, duplicated or reordered`,
        );
      }
    }
    const start = this.cipherOffset(index);
    return new FileCryptoError(
      "chunk_modified",
      `Cannot decrypt chunk ${index} (file bytes ${start}-${
        start + sealed.length - 1
      }): authentication failed: the data was modified or damaged`,
    );
  }
}
