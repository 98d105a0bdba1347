/**
 * The header of an encrypted file: magic, version, how the file key is
 * wrapped, and the plaintext size. Byte layout: `docs/ENCRYPTION.md`.
 *
 * | offset | bytes | field                                                 |
 * | -----: | ----: | ----------------------------------------------------- |
 * |      0 |     8 | magic `89 66 65 72 72 79 0d 0a`                       |
 * |      8 |     1 | format version: 1                                     |
 * |      9 |     1 | key kind: 1 passphrase, 2 key file                    |
 * |     10 |     1 | log2 of the chunk size: 16                            |
 * |     11 |     1 | reserved: 0                                           |
 * |     12 |     8 | plaintext size, u64 big-endian                        |
 * |     20 |     4 | scrypt log2 N, r, p, then 0 (all 0 for a key file)    |
 * |     24 |    16 | scrypt salt (zeros for a key file)                    |
 * |     40 |    32 | file salt, random                                     |
 * |     72 |    16 | key check                                             |
 * |     88 |    48 | wrapped file key and its tag (AAD: bytes 0-87)        |
 * |    136 |    16 | checksum: the first 16 bytes of SHA-256(bytes 0-135)  |
 *
 * @module
 */

import { FileCryptoError } from "./file_crypto_error.ts";
import { FIELDS } from "./_header_fields.ts";
import { hkdf, KEY_BYTES, LABELS, seal, sha256, ZERO_NONCE } from "./_primitives.ts";
import type { Kek, ScryptParams } from "./key_derivation.ts";
import { SCRYPT_SALT_BYTES, scryptParamsProblem } from "./key_derivation.ts";
import {
  CHUNK_BYTES,
  CHUNK_SIZE_LOG2,
  HEADER_BYTES,
  MAX_PLAINTEXT_BYTES,
  type SizedLayout,
} from "./layout.ts";
import { ENCRYPTED_MAGIC, isEncryptedFile, isMagicPrefix } from "./magic.ts";

/** The format version this code writes and reads. */
export const FORMAT_VERSION = 1;

/** How the file key is wrapped: with a passphrase (scrypt) or with a key file. */
export type KeyKind = "passphrase" | "key_file";

/** A parsed header; it holds no secret. */
export interface EncryptionHeader extends SizedLayout {
  /** The header's bytes, exactly as stored. */
  readonly bytes: Uint8Array;
  /** The format version. */
  readonly version: number;
  /** What wraps the file key. */
  readonly keyKind: KeyKind;
  /** The scrypt parameters and salt (passphrase files only). */
  readonly scrypt: ScryptParams | null;
}

/** A header together with the file key it wraps: all the streams need. */
export interface UnlockedHeader extends EncryptionHeader {
  /** The random per-file key. Secret. */
  readonly fileKey: Uint8Array;
}

const KIND_CODES: Readonly<Record<KeyKind, number>> = { passphrase: 1, "key_file": 2 };

/**
 * Makes the header of a new file: a fresh random file key and file salt,
 * the file key wrapped under `kek` with the rest of the header as
 * associated data.
 *
 * @param kek From `deriveKek` or `keyFileKek`.
 * @param plainSize The plaintext size; the encrypt stream holds the input to it.
 * @returns The header and its file key.
 * @throws {RangeError} When `plainSize` is out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHeader, keyFileKek, parseHeader } from "./mod.ts";
 * const header = createHeader(keyFileKek(new Uint8Array(32)), 1000);
 * assert.equal(parseHeader(header.bytes).plainSize, 1000);
 * ```
 */
export function createHeader(kek: Kek, plainSize: number): UnlockedHeader {
  if (!Number.isSafeInteger(plainSize) || plainSize < 0 || plainSize > MAX_PLAINTEXT_BYTES) {
    throw new RangeError(`Cannot encrypt ${plainSize} bytes: expected 0 to ${MAX_PLAINTEXT_BYTES}`);
  }
  const bytes = new Uint8Array(HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(ENCRYPTED_MAGIC, 0);
  view.setUint8(8, FORMAT_VERSION);
  view.setUint8(9, KIND_CODES[kek.kind]);
  view.setUint8(10, CHUNK_SIZE_LOG2);
  view.setBigUint64(12, BigInt(plainSize));
  if (kek.kind === "passphrase") {
    bytes.set([kek.scrypt.logN, kek.scrypt.r, kek.scrypt.p], FIELDS.kdf);
    bytes.set(kek.scrypt.salt, FIELDS.scryptSalt);
  }
  const fileSalt = crypto.getRandomValues(
    bytes.subarray(FIELDS.fileSalt, FIELDS.fileSalt + FIELDS.fileSaltBytes),
  );
  bytes.set(hkdf(kek.key, fileSalt, LABELS.keyCheck, FIELDS.keyCheckBytes), FIELDS.keyCheck);
  const fileKey = crypto.getRandomValues(new Uint8Array(KEY_BYTES));
  const wrapKey = hkdf(kek.key, fileSalt, LABELS.wrap, KEY_BYTES);
  bytes.set(
    seal(wrapKey, ZERO_NONCE, bytes.subarray(0, FIELDS.wrappedKey), fileKey),
    FIELDS.wrappedKey,
  );
  bytes.set(
    sha256(bytes.subarray(0, FIELDS.checksum)).subarray(0, FIELDS.checksumBytes),
    FIELDS.checksum,
  );
  return { ...parseHeader(bytes), fileKey };
}

/**
 * Parses and checks a header without any key: magic, version, length,
 * checksum, then every field.
 *
 * @param bytes The first {@linkcode HEADER_BYTES} bytes of the file (more are ignored).
 * @returns The header.
 * @throws {FileCryptoError} `not_encrypted`, `unsupported`, `truncated`,
 *   `header_modified` (checksum) or `malformed`.
 *
 * @example Refusing a file that is not encrypted
 * ```ts
 * import assert from "node:assert/strict";
 * import { isFileCryptoError, parseHeader } from "./mod.ts";
 * assert.throws(
 *   () => parseHeader(new TextEncoder().encode("plain text, not encrypted")),
 *   (error) => isFileCryptoError(error, "not_encrypted"),
 * );
 * ```
 */
export function parseHeader(bytes: Uint8Array): EncryptionHeader {
  checkHeaderStart(bytes);
  if (bytes.length < HEADER_BYTES) {
    throw new FileCryptoError(
      "truncated",
      `Cannot decrypt: the file is truncated: the header has ${bytes.length} of ${HEADER_BYTES} bytes`,
    );
  }
  const own = bytes.slice(0, HEADER_BYTES);
  const sum = sha256(own.subarray(0, FIELDS.checksum)).subarray(0, FIELDS.checksumBytes);
  if (!sum.every((byte, i) => own[FIELDS.checksum + i] === byte)) {
    throw new FileCryptoError(
      "header_modified",
      "Cannot decrypt: the header is damaged: its checksum does not match",
    );
  }
  return checkFields(own);
}

/**
 * Checks what the first bytes of a header already tell: the magic and the
 * version. A stream calls it before the whole header has arrived.
 *
 * @param bytes The first bytes, possibly fewer than the header.
 * @throws {FileCryptoError} `truncated` when empty, `not_encrypted` or `unsupported`.
 */
export function checkHeaderStart(bytes: Uint8Array): void {
  if (bytes.length === 0) {
    throw new FileCryptoError("truncated", "Cannot decrypt: the file is empty");
  }
  if (!isEncryptedFile(bytes) && !isMagicPrefix(bytes)) {
    throw new FileCryptoError("not_encrypted", "Cannot decrypt: not a ferry encrypted file");
  }
  const version = bytes[ENCRYPTED_MAGIC.length];
  if (version !== undefined && version !== FORMAT_VERSION) {
    throw new FileCryptoError(
      "unsupported",
      `Cannot decrypt: format version ${version} is not supported (this ferry reads version ${FORMAT_VERSION})`,
    );
  }
}

function malformed(detail: string): FileCryptoError {
  return new FileCryptoError("malformed", `Cannot decrypt: the header is malformed: ${detail}`);
}

function checkFields(bytes: Uint8Array): EncryptionHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kindCode = view.getUint8(9);
  const keyKind = kindCode === 1 ? "passphrase" : kindCode === 2 ? "key_file" : null;
  if (!keyKind) throw malformed(`unknown key kind ${kindCode}`);
  if (view.getUint8(10) !== CHUNK_SIZE_LOG2) {
    throw malformed(`chunk size 2^${view.getUint8(10)} is not 2^${CHUNK_SIZE_LOG2}`);
  }
  if (view.getUint8(11) !== 0 || view.getUint8(23) !== 0) throw malformed("a reserved byte is set");
  const size = view.getBigUint64(12);
  if (size > BigInt(MAX_PLAINTEXT_BYTES)) throw malformed(`plaintext size ${size} is too large`);
  const kdf = bytes.subarray(FIELDS.kdf, FIELDS.scryptSalt + SCRYPT_SALT_BYTES);
  let scrypt: ScryptParams | null = null;
  if (keyKind === "passphrase") {
    scrypt = { logN: kdf[0] ?? 0, r: kdf[1] ?? 0, p: kdf[2] ?? 0, salt: kdf.slice(4) };
    const problem = scryptParamsProblem(scrypt);
    if (problem) throw malformed(problem);
  } else if (kdf.some((byte) => byte !== 0)) {
    throw malformed("a key file header has scrypt parameters");
  }
  return {
    bytes,
    version: FORMAT_VERSION,
    keyKind,
    scrypt,
    plainSize: Number(size),
    headerSize: HEADER_BYTES,
    chunkSize: CHUNK_BYTES,
  };
}
