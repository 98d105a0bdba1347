/**
 * The decrypting half: the encrypted file in, verified plaintext out.
 *
 * @module
 */

import { ChunkCipher } from "./_chunk_cipher.ts";
import { Rechunker } from "./_rechunker.ts";
import { FileCryptoError } from "./file_crypto_error.ts";
import {
  checkHeaderStart,
  type EncryptionHeader,
  parseHeader,
  type UnlockedHeader,
} from "./header.ts";
import { CHUNK_BYTES, encryptedSize, HEADER_BYTES, TAG_BYTES } from "./layout.ts";
import { type KeySource, unlockHeader } from "./unlock_header.ts";

/**
 * Picks the key once the header is known, e.g. to prompt for a passphrase
 * only when the file needs one.
 */
export type KeyResolver = (header: EncryptionHeader) => KeySource | Promise<KeySource>;

/** Options of {@linkcode createDecryptStream}. */
export interface DecryptStreamOptions {
  /**
   * With an unlocked header only: the chunk the input starts with, to resume
   * a download at a chunk boundary. As with the encrypt stream, the input
   * starts with the header only when this is 0.
   *
   * @default {0}
   */
  startChunk?: number;
}

/**
 * Decrypts an encrypted file: parses and unlocks the header, then opens each
 * chunk and emits its plaintext only after its tag verified.
 *
 * **Contract.** The output is always a verified prefix of the plaintext, one
 * array per chunk. It is complete only when the stream closes without error:
 * truncation and appended bytes show only at the end, so the final chunk is
 * emitted last, once the input ended cleanly. Write to a partial file, rename
 * it into place after the stream closed, and delete it on error. A wrong key
 * or a bad header errors before any output.
 *
 * @param unlock The passphrase or key file; a resolver that picks it from the
 *   header; or, to resume, a header already unlocked (the input then starts at
 *   chunk `startChunk`, and holds the header, which must be the same, only
 *   when that is 0).
 * @param options Where to start (resume only).
 * @returns A transform from encrypted bytes to plaintext.
 * @throws {FileCryptoError} (from the stream) `not_encrypted`, `unsupported`,
 *   `malformed`, `wrong_key`, `header_modified`, `chunk_modified`, `reordered`,
 *   `truncated` or `appended`.
 * @throws {RangeError} When `startChunk` is out of range.
 *
 * @example A flipped byte is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDecryptStream, createEncryptStream, createHeader } from "./mod.ts";
 * import { isFileCryptoError, keyFileKek } from "./mod.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const header = createHeader(keyFileKek(key), 3);
 * const plaintext = ReadableStream.from([Uint8Array.of(1, 2, 3)]);
 * const sealed = await new Response(plaintext.pipeThrough(createEncryptStream(header))).bytes();
 * sealed[sealed.length - 1]! ^= 1;
 * const opened = ReadableStream.from([sealed]).pipeThrough(createDecryptStream({ keyFile: key }));
 * await assert.rejects(
 *   new Response(opened).bytes(),
 *   (error) => isFileCryptoError(error, "chunk_modified"),
 * );
 * ```
 */
export function createDecryptStream(
  unlock: KeySource | KeyResolver | UnlockedHeader,
  options: DecryptStreamOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const startChunk = options.startChunk ?? 0;
  const rechunker = new Rechunker(CHUNK_BYTES + TAG_BYTES);
  let header: UnlockedHeader | null = null;
  let cipher: ChunkCipher | null = null;
  let headerPending = startChunk === 0;
  let index = startChunk;
  /** Offset in the encrypted file of the next unit's first byte. */
  let seen = 0;
  let final: Uint8Array | null = null;

  function begin(unlocked: UnlockedHeader): void {
    const chunks = new ChunkCipher(unlocked);
    if (!Number.isSafeInteger(startChunk) || startChunk < 0 || startChunk > chunks.lastIndex) {
      throw new RangeError(
        `Cannot start decrypting at chunk ${startChunk}: expected 0 to ${chunks.lastIndex}`,
      );
    }
    header = unlocked;
    cipher = chunks;
    seen = chunks.cipherOffset(startChunk);
  }

  if ("fileKey" in unlock) {
    begin(unlock);
  } else if (startChunk !== 0) {
    throw new TypeError("Cannot start decrypting at a later chunk without an unlocked header");
  }

  async function take(
    bytes: Uint8Array,
    controller: TransformStreamDefaultController<Uint8Array>,
  ): Promise<void> {
    if (headerPending) {
      const parsed = parseHeader(bytes);
      headerPending = false;
      if (!header) {
        const source = typeof unlock === "function" ? await unlock(parsed) : unlock as KeySource;
        begin(await unlockHeader(parsed, source));
      } else if (!parsed.bytes.every((byte, i) => header?.bytes[i] === byte)) {
        throw new FileCryptoError(
          "header_modified",
          "Cannot decrypt: the header differs from the one the transfer started with",
        );
      }
      return;
    }
    if (!cipher) throw new TypeError("Cannot open a chunk before the header");
    const plaintext = cipher.open(index, bytes);
    if (index === cipher.lastIndex) final = plaintext;
    else controller.enqueue(plaintext);
    seen += bytes.length;
    index++;
  }

  return new TransformStream({
    async transform(input, controller): Promise<void> {
      await rechunker.push(input, {
        nextSize(): number | null {
          if (headerPending || !cipher) return HEADER_BYTES;
          return index <= cipher.lastIndex ? cipher.plainLength(index) + TAG_BYTES : null;
        },
        unit: (bytes) => take(bytes, controller),
        extra(): never {
          throw new FileCryptoError(
            "appended",
            `Cannot decrypt: data follows the final chunk: the file is longer than its ${seen} bytes`,
          );
        },
      });
      if (headerPending) checkHeaderStart(rechunker.peek());
    },
    flush(controller): void {
      if (headerPending || !header) {
        parseHeader(rechunker.peek()); // Throws: the header is incomplete.
        throw new FileCryptoError("truncated", "Cannot decrypt: the header is incomplete");
      }
      if (!final) {
        const total = encryptedSize(header.plainSize, header);
        throw new FileCryptoError(
          "truncated",
          `Cannot decrypt: the file is truncated: it ends after ${
            seen + rechunker.buffered
          } of ${total} bytes`,
        );
      }
      controller.enqueue(final);
    },
  });
}
