/**
 * The key-encryption key (KEK): what unlocks a file's random file key. It
 * comes from a passphrase through scrypt, or is a key file's 32 bytes.
 *
 * @module
 */

import { scrypt } from "node:crypto";
import { KEY_BYTES } from "./_primitives.ts";

/** The scrypt cost parameters and salt stored in a passphrase file's header. */
export interface ScryptParams {
  /** log2 of the CPU/memory cost `N`. */
  readonly logN: number;
  /** The block size `r`. */
  readonly r: number;
  /** The parallelism `p`. */
  readonly p: number;
  /** The 16-byte random salt. */
  readonly salt: Uint8Array;
}

/** Length of the scrypt salt. */
export const SCRYPT_SALT_BYTES = 16;

/**
 * The default cost: N = 2^17, r = 8, p = 1 (128 MiB, about 0.26 s here), the
 * OWASP minimum for scrypt.
 */
export const DEFAULT_SCRYPT: Readonly<Omit<ScryptParams, "salt">> = Object.freeze({
  logN: 17,
  r: 8,
  p: 1,
});

/**
 * The accepted range, on both sides: a header asking for more is refused
 * before any work, so a hostile file cannot make the client spend more than
 * 1 GiB of memory or about 16 times the default time.
 */
export const SCRYPT_LIMITS: Readonly<{
  minLogN: number;
  maxLogN: number;
  maxR: number;
  maxP: number;
  maxMemoryBytes: number;
}> = Object.freeze({
  minLogN: 10,
  maxLogN: 20,
  maxR: 32,
  maxP: 16,
  maxMemoryBytes: 1024 * 1024 * 1024,
});

/**
 * A key-encryption key and how it was made.
 *
 * - `"passphrase"`: scrypt of the passphrase with `scrypt` (one salt).
 * - `"key_file"`: the key file's bytes as they are.
 */
export type Kek =
  | { readonly kind: "passphrase"; readonly key: Uint8Array; readonly scrypt: ScryptParams }
  | { readonly kind: "key_file"; readonly key: Uint8Array };

/**
 * Tells why scrypt parameters are out of {@linkcode SCRYPT_LIMITS}.
 *
 * @param params The parameters to check.
 * @returns A phrase for an error message, or `null` when they are fine.
 */
export function scryptParamsProblem(params: ScryptParams): string | null {
  const { logN, r, p, salt } = params;
  const { minLogN, maxLogN, maxR, maxP, maxMemoryBytes } = SCRYPT_LIMITS;
  if (!Number.isInteger(logN) || logN < minLogN || logN > maxLogN) {
    return `scrypt log2(N) ${logN} is outside ${minLogN}-${maxLogN}`;
  }
  if (!Number.isInteger(r) || r < 1 || r > maxR) return `scrypt r ${r} is outside 1-${maxR}`;
  if (!Number.isInteger(p) || p < 1 || p > maxP) return `scrypt p ${p} is outside 1-${maxP}`;
  if (128 * r * 2 ** logN > maxMemoryBytes) {
    return `scrypt N and r need more than ${maxMemoryBytes / 2 ** 20} MiB`;
  }
  if (salt.length !== SCRYPT_SALT_BYTES) {
    return `scrypt salt has ${salt.length} bytes, expected ${SCRYPT_SALT_BYTES}`;
  }
  return null;
}

/**
 * Derives the KEK from a passphrase with scrypt. The passphrase is
 * normalized to Unicode NFC, then encoded as UTF-8, so the same words typed
 * on different systems give the same key.
 *
 * @param passphrase The passphrase; must not be empty.
 * @param params Cost and salt; defaults to {@linkcode DEFAULT_SCRYPT} and a fresh random salt.
 * @returns The KEK with the parameters to store in the header.
 * @throws {RangeError} When the passphrase is empty or the parameters are out of range.
 *
 * @example Deriving the same KEK twice
 * ```ts
 * import assert from "node:assert/strict";
 * import { deriveKek } from "./key_derivation.ts";
 * const first = await deriveKek("correct horse", { logN: 10 });
 * if (first.kind !== "passphrase") throw new Error("Unreachable");
 * const again = await deriveKek("correct horse", first.scrypt);
 * assert.deepEqual(again.key, first.key);
 * ```
 */
export async function deriveKek(
  passphrase: string,
  params: Partial<ScryptParams> = {},
): Promise<Kek> {
  if (passphrase.length === 0) throw new RangeError("Cannot derive a key: the passphrase is empty");
  const full: ScryptParams = {
    ...DEFAULT_SCRYPT,
    ...params,
    salt: params.salt ?? crypto.getRandomValues(new Uint8Array(SCRYPT_SALT_BYTES)),
  };
  const problem = scryptParamsProblem(full);
  if (problem) throw new RangeError(`Cannot derive a key: ${problem}`);
  const N = 2 ** full.logN;
  const options = { N, r: full.r, p: full.p, maxmem: 128 * full.r * (N + full.p + 2) + 2 ** 20 };
  const key = await new Promise<Uint8Array>((resolve, reject) => {
    scrypt(passphrase.normalize("NFC"), full.salt, KEY_BYTES, options, (error, derived) => {
      if (error) reject(error);
      else resolve(new Uint8Array(derived));
    });
  });
  return { kind: "passphrase", key, scrypt: { ...full, salt: new Uint8Array(full.salt) } };
}

/**
 * Wraps a key file's bytes as a KEK (no derivation: they are already a
 * uniformly random 32-byte key).
 *
 * @param key The 32 bytes from `loadKeyFile` or `createKeyFile`.
 * @returns The KEK.
 * @throws {RangeError} When `key` is not 32 bytes long.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyFileKek } from "./key_derivation.ts";
 * assert.equal(keyFileKek(new Uint8Array(32)).kind, "key_file");
 * ```
 */
export function keyFileKek(key: Uint8Array): Kek {
  if (key.length !== KEY_BYTES) {
    throw new RangeError(`Cannot use a key of ${key.length} bytes: expected ${KEY_BYTES}`);
  }
  return { kind: "key_file", key: new Uint8Array(key) };
}
