/**
 * `get` without knowing in advance whether the remote file is encrypted:
 * look at its first bytes, then decrypt or pass it through.
 *
 * @module
 */

import { createDecryptStream, type KeyResolver } from "./decrypt_stream.ts";
import { concat } from "../core/bytes.ts";
import { FileCryptoError } from "./file_crypto_error.ts";
import { ENCRYPTED_MAGIC, isEncryptedFile, isMagicPrefix } from "./magic.ts";
import type { KeySource } from "./unlock_header.ts";

/** Options of {@linkcode autoDecrypt}. */
export interface AutoDecryptOptions {
  /**
   * Refuse a file that is not encrypted (`not_encrypted`), for when the user
   * expects encryption: otherwise a hostile server could hand out a
   * plaintext of its choosing instead of the encrypted file.
   *
   * @default {false}
   */
  requireEncrypted?: boolean;
}

/** What {@linkcode autoDecrypt} found. */
export interface AutoDecrypted {
  /** Whether the file is encrypted (and `readable` decrypts it). */
  encrypted: boolean;
  /** The plaintext: decrypted, or the file's bytes as they are. */
  readable: ReadableStream<Uint8Array>;
}

/**
 * Reads the first 8 bytes of `readable` and decrypts it if they are the
 * encrypted-file magic; otherwise passes it through unchanged. A file shorter
 * than 8 bytes that starts like the magic counts as encrypted (and fails as
 * truncated). The key is asked for only for an encrypted file.
 *
 * @param readable The remote file's bytes from offset 0.
 * @param unlock The passphrase or key file, or a resolver (called only if encrypted).
 * @param options Whether encryption is required.
 * @returns Whether the file is encrypted, and its plaintext.
 * @throws {FileCryptoError} `not_encrypted` when encryption is required and absent;
 *   the decrypt stream's errors come through `readable`.
 *
 * @example Plain files pass through
 * ```ts
 * import assert from "node:assert/strict";
 * import { autoDecrypt } from "./auto_decrypt.ts";
 * const plain = new TextEncoder().encode("not encrypted");
 * const found = await autoDecrypt(ReadableStream.from([plain]), { keyFile: new Uint8Array(32) });
 * assert.equal(found.encrypted, false);
 * assert.deepEqual(await new Response(found.readable).bytes(), plain);
 * ```
 */
export async function autoDecrypt(
  readable: ReadableStream<Uint8Array>,
  unlock: KeySource | KeyResolver,
  options: AutoDecryptOptions = {},
): Promise<AutoDecrypted> {
  const reader = readable.getReader();
  const head: Uint8Array[] = [];
  let length = 0;
  let done = false;
  try {
    while (length < ENCRYPTED_MAGIC.length) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        break;
      }
      head.push(next.value);
      length += next.value.length;
    }
  } catch (error) {
    reader.releaseLock();
    throw error;
  }
  const first = concat(head);
  const encrypted = isEncryptedFile(first) || (length > 0 && isMagicPrefix(first));
  if (!encrypted && options.requireEncrypted) {
    await reader.cancel().catch(() => {});
    throw new FileCryptoError("not_encrypted", "Cannot decrypt: not a ferry encrypted file");
  }
  const rest = new ReadableStream<Uint8Array>({
    start(controller): void {
      if (length > 0) controller.enqueue(first);
      if (done) controller.close();
    },
    async pull(controller): Promise<void> {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason): Promise<void> {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { encrypted, readable: encrypted ? rest.pipeThrough(createDecryptStream(unlock)) : rest };
}
