/**
 * Unlocking a header: from the user's passphrase or key file to the file key,
 * telling a wrong key apart from a modified header.
 *
 * @module
 */

import { timingSafeEqual } from "node:crypto";
import { field, FIELDS } from "./_header_fields.ts";
import { hkdf, KEY_BYTES, LABELS, open, ZERO_NONCE } from "./_primitives.ts";
import { FileCryptoError } from "./file_crypto_error.ts";
import { type EncryptionHeader, parseHeader, type UnlockedHeader } from "./header.ts";
import { deriveKek, type Kek, keyFileKek, type ScryptParams } from "./key_derivation.ts";

/**
 * What the user holds to open a file: a passphrase or a key file's 32 bytes;
 * or a KEK already derived from either, so that many files sharing one scrypt
 * salt cost one scrypt run (a passphrase KEK must come from the header's own
 * scrypt parameters and salt).
 */
export type KeySource =
  | { readonly passphrase: string }
  | { readonly keyFile: Uint8Array }
  | { readonly kek: Kek };

const KIND_NAMES = { passphrase: "a passphrase", "key_file": "a key file" } as const;

/**
 * Unlocks a header: derives the KEK (scrypt with the header's parameters, or
 * the key file), compares the key check, then unwraps the file key, which
 * authenticates every header byte.
 *
 * @param header A parsed header, or its bytes.
 * @param source The passphrase or key file.
 * @returns The header with its file key.
 * @throws {FileCryptoError} `wrong_key` for a passphrase or key file that does not
 *   fit (or of the wrong kind); `header_modified` when the key fits but the
 *   header fails authentication; whatever `parseHeader` throws for bytes.
 * @throws {RangeError} For a passphrase KEK derived with other scrypt parameters
 *   or another salt than the header's.
 *
 * @example A wrong key file is refused
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHeader, isFileCryptoError, keyFileKek, unlockHeader } from "./mod.ts";
 * const key = crypto.getRandomValues(new Uint8Array(32));
 * const header = createHeader(keyFileKek(key), 0);
 * assert.deepEqual((await unlockHeader(header.bytes, { keyFile: key })).fileKey, header.fileKey);
 * await assert.rejects(
 *   unlockHeader(header.bytes, { keyFile: new Uint8Array(32) }),
 *   (error) => isFileCryptoError(error, "wrong_key"),
 * );
 * ```
 */
export async function unlockHeader(
  header: EncryptionHeader | Uint8Array,
  source: KeySource,
): Promise<UnlockedHeader> {
  const parsed = header instanceof Uint8Array ? parseHeader(header) : header;
  const given = "kek" in source
    ? source.kek.kind
    : "passphrase" in source
    ? "passphrase"
    : "key_file";
  if (given !== parsed.keyKind) {
    throw new FileCryptoError(
      "wrong_key",
      `Cannot decrypt: the file was encrypted with ${KIND_NAMES[parsed.keyKind]}, not ${
        KIND_NAMES[given]
      }`,
    );
  }
  const kek = await kekFor(parsed, source);
  const salt = field(parsed, "fileSalt");
  const check = hkdf(kek.key, salt, LABELS.keyCheck, FIELDS.keyCheckBytes);
  if (!timingSafeEqual(check, field(parsed, "keyCheck"))) {
    throw new FileCryptoError(
      "wrong_key",
      given === "passphrase"
        ? "Cannot decrypt: wrong passphrase"
        : "Cannot decrypt: wrong key file: the file was encrypted with another key",
    );
  }
  const wrapKey = hkdf(kek.key, salt, LABELS.wrap, KEY_BYTES);
  const ad = parsed.bytes.subarray(0, FIELDS.wrappedKey);
  const fileKey = open(wrapKey, ZERO_NONCE, ad, field(parsed, "wrappedKey"));
  if (!fileKey) {
    throw new FileCryptoError(
      "header_modified",
      "Cannot decrypt: the header failed authentication: it was modified",
    );
  }
  return { ...parsed, fileKey };
}

function sameScrypt(a: ScryptParams, b: ScryptParams): boolean {
  return a.logN === b.logN && a.r === b.r && a.p === b.p && a.salt.length === b.salt.length &&
    a.salt.every((byte, i) => b.salt[i] === byte);
}

async function kekFor(header: EncryptionHeader, source: KeySource): Promise<Kek> {
  if ("kek" in source) {
    const { kek } = source;
    if (kek.kind === "passphrase" && header.scrypt && !sameScrypt(kek.scrypt, header.scrypt)) {
      throw new RangeError(
        "Cannot unlock with this KEK: it was derived with other scrypt parameters or salt",
      );
    }
    return kek;
  }
  if ("keyFile" in source) return keyFileKek(source.keyFile);
  if (source.passphrase.length === 0) {
    throw new FileCryptoError("wrong_key", "Cannot decrypt: wrong passphrase: it is empty");
  }
  return await deriveKek(source.passphrase, header.scrypt ?? {});
}
