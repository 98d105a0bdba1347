/**
 * End-to-end file encryption for ferry (`put --encrypt`): the server only
 * ever stores ciphertext. Format, threat model and resume design:
 * `docs/ENCRYPTION.md`.
 *
 * A file has a random 32-byte file key, wrapped under a key-encryption key
 * from a passphrase (scrypt) or a key file; the payload is the STREAM
 * construction over 64 KiB chunks with ChaCha20-Poly1305, so modification,
 * reordering, truncation and appending are all detected.
 *
 * @example Round trip with a passphrase
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDecryptStream, createEncryptStream, createHeader, deriveKek } from "./mod.ts";
 * const plaintext = new TextEncoder().encode("the server never sees this");
 * const kek = await deriveKek("correct horse battery staple", { logN: 10 });
 * const header = createHeader(kek, plaintext.length);
 * const sealed = ReadableStream.from([plaintext]).pipeThrough(createEncryptStream(header));
 * const opened = sealed.pipeThrough(
 *   createDecryptStream({ passphrase: "correct horse battery staple" }),
 * );
 * assert.deepEqual(await new Response(opened).bytes(), plaintext);
 * ```
 *
 * @module
 */

export { autoDecrypt, type AutoDecrypted, type AutoDecryptOptions } from "./auto_decrypt.ts";
export {
  createDecryptStream,
  type DecryptStreamOptions,
  type KeyResolver,
} from "./decrypt_stream.ts";
export { createEncryptStream, type EncryptStreamOptions } from "./encrypt_stream.ts";
export {
  CORRUPT_CODE,
  FileCryptoError,
  type FileCryptoFailure,
  isFileCryptoError,
  WRONG_KEY_CODE,
} from "./file_crypto_error.ts";
export {
  createHeader,
  type EncryptionHeader,
  FORMAT_VERSION,
  type KeyKind,
  parseHeader,
  type UnlockedHeader,
} from "./header.ts";
export {
  DEFAULT_SCRYPT,
  deriveKek,
  type Kek,
  keyFileKek,
  SCRYPT_LIMITS,
  type ScryptParams,
} from "./key_derivation.ts";
export { createKeyFile, keyFingerprint, loadKeyFile } from "./key_file.ts";
export {
  CHUNK_BYTES,
  type ChunkBoundary,
  chunkBoundaryForCiphertextOffset,
  chunkBoundaryForPlaintextOffset,
  chunkCount,
  encryptedSize,
  HEADER_BYTES,
  MAX_PLAINTEXT_BYTES,
  type PayloadLayout,
  plaintextOffsetForCiphertextOffset,
  plaintextSize,
  type SizedLayout,
  TAG_BYTES,
  V1_LAYOUT,
} from "./layout.ts";
export { ENCRYPTED_MAGIC, isEncryptedFile } from "./magic.ts";
export { type KeySource, unlockHeader } from "./unlock_header.ts";
