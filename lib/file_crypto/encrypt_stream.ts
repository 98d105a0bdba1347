/**
 * The encrypting half: plaintext in, the encrypted file out (header, then
 * sealed chunks).
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { ChunkCipher } from "./_chunk_cipher.ts";
import { Rechunker } from "./_rechunker.ts";
import type { UnlockedHeader } from "./header.ts";

/** Options of {@linkcode createEncryptStream}. */
export interface EncryptStreamOptions {
  /**
   * The chunk the input starts with, to continue from a chunk boundary: the
   * input then starts at that chunk's first plaintext byte, and the header is
   * emitted only when it is 0.
   *
   * @default {0}
   */
  startChunk?: number;
  /**
   * The input is only a prefix of the plaintext, ending on a chunk boundary
   * (or at the end): for re-encrypting the verified part of a download to
   * feed its hash. Ending early is then not an error.
   *
   * @default {false}
   */
  prefix?: boolean;
}

/**
 * Encrypts a plaintext of exactly `header.plainSize` bytes. The output is a
 * function of the header, its file key and the plaintext only, so encrypting
 * again with the same header gives the same bytes: an interrupted upload
 * re-encrypts from byte 0 and skips what the server already has.
 *
 * Chunks are sealed as soon as they are complete, except the final one,
 * emitted when the input ends; at most one chunk is held. Output arrays are
 * fresh, never views of the input.
 *
 * @param header From `createHeader` (a new file) or `unlockHeader` (resuming).
 * @param options Where to start; prefix mode.
 * @returns A transform from plaintext to encrypted bytes.
 * @throws {FerryError} `local_io` (from the stream) when the input is longer or
 *   shorter than the header declares: the file changed while it was read.
 * @throws {RangeError} When `startChunk` is out of range, or a prefix does not
 *   end on a chunk boundary.
 *
 * @example Encrypting and decrypting with a key file
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDecryptStream, createEncryptStream, createHeader, encryptedSize, keyFileKek } from "./mod.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const plaintext = new TextEncoder().encode("hello, ferry");
 * const header = createHeader(keyFileKek(key), plaintext.length);
 * const sealed = await new Response(
 *   ReadableStream.from([plaintext]).pipeThrough(createEncryptStream(header)),
 * ).bytes();
 * assert.equal(sealed.length, encryptedSize(plaintext.length));
 * const opened = await new Response(
 *   ReadableStream.from([sealed]).pipeThrough(createDecryptStream({ keyFile: key })),
 * ).bytes();
 * assert.deepEqual(opened, plaintext);
 * ```
 */
export function createEncryptStream(
  header: UnlockedHeader,
  options: EncryptStreamOptions = {},
): TransformStream<Uint8Array, Uint8Array> {
  const cipher = new ChunkCipher(header);
  const startChunk = options.startChunk ?? 0;
  if (!Number.isSafeInteger(startChunk) || startChunk < 0 || startChunk > cipher.lastIndex) {
    throw new RangeError(
      `Cannot start encrypting at chunk ${startChunk}: expected 0 to ${cipher.lastIndex}`,
    );
  }
  const rechunker = new Rechunker(header.chunkSize);
  let index = startChunk;
  let final: Uint8Array | null = null;
  const consumed = (): number => index * header.chunkSize + rechunker.buffered;
  const changed = (detail: string): FerryError =>
    new FerryError(
      "local_io",
      `Cannot encrypt: the input ${detail} the ${header.plainSize} bytes the header declares (did the file change while it was read?)`,
    );
  return new TransformStream({
    start(controller): void {
      if (startChunk === 0) controller.enqueue(header.bytes.slice());
    },
    async transform(chunk, controller): Promise<void> {
      await rechunker.push(chunk, {
        nextSize: () => index <= cipher.lastIndex ? cipher.plainLength(index) : null,
        unit(bytes): void {
          const sealed = cipher.seal(index, bytes);
          if (index === cipher.lastIndex) final = sealed;
          else controller.enqueue(sealed);
          index++;
        },
        extra: () => {
          throw changed("is longer than");
        },
      });
    },
    flush(controller): void {
      if (!final && index === cipher.lastIndex && cipher.plainLength(index) === 0) {
        final = cipher.seal(index++, new Uint8Array(0));
      }
      if (final) {
        controller.enqueue(final);
      } else if (!options.prefix) {
        throw changed(`ended after ${consumed()} of`);
      } else if (rechunker.buffered > 0) {
        throw new RangeError(
          `Cannot encrypt a prefix of ${consumed()} bytes: it does not end on a chunk boundary`,
        );
      }
    },
  });
}
