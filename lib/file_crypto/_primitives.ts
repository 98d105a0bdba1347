/**
 * The primitives behind the file format, in one place: HKDF-SHA256 with the
 * format's labels, ChaCha20-Poly1305 (the same `node:crypto` code as the
 * transport, `lib/noise/cipher_functions.ts`) and the STREAM chunk nonce.
 *
 * Private to `lib/file_crypto/`.
 *
 * @module
 */

import { createHash, hkdfSync } from "node:crypto";
import { CHACHA_POLY, NONCE_LEN, TAG_LEN } from "../noise/cipher_functions.ts";

export { TAG_LEN };

/** Length of every symmetric key: KEK, file key, wrap key, payload key. */
export const KEY_BYTES = 32;

/** The HKDF `info` labels; each derived key has its own. */
export const LABELS = {
  keyCheck: "ferry-enc/v1 key check",
  wrap: "ferry-enc/v1 wrap",
  payload: "ferry-enc/v1 payload",
  fingerprint: "ferry-enc/v1 key fingerprint",
} as const;

/**
 * HKDF-SHA256 (RFC 5869).
 *
 * @param ikm The input key material.
 * @param salt The salt.
 * @param info One of {@linkcode LABELS}.
 * @param length Bytes to derive.
 * @returns The derived bytes.
 */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length: number): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", ikm, salt, info, length));
}

/**
 * SHA-256.
 *
 * @param parts The bytes to hash, in order.
 * @returns The 32-byte digest.
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/** The all-zero nonce, for keys that seal exactly one message (the wrap key). */
export const ZERO_NONCE: Uint8Array = new Uint8Array(NONCE_LEN);

/**
 * Seals with ChaCha20-Poly1305.
 *
 * @returns `ciphertext || tag`.
 */
export function seal(
  key: Uint8Array,
  nonce: Uint8Array,
  ad: Uint8Array,
  plaintext: Uint8Array,
): Uint8Array {
  return CHACHA_POLY.encrypt(key, nonce, ad, plaintext);
}

/**
 * Opens with ChaCha20-Poly1305. Nothing of the plaintext is returned unless
 * the tag verifies.
 *
 * @returns The plaintext, or `null` when authentication fails.
 */
export function open(
  key: Uint8Array,
  nonce: Uint8Array,
  ad: Uint8Array,
  sealed: Uint8Array,
): Uint8Array | null {
  if (sealed.length < TAG_LEN) return null;
  try {
    return CHACHA_POLY.decrypt(key, nonce, ad, sealed);
  } catch {
    return null;
  }
}

/** 2^32, to split a chunk index into two 32-bit halves without BigInt. */
const TWO_POW_32 = 0x1_0000_0000;

/**
 * The STREAM nonce of chunk `index` (as in age): the index as an 11-byte
 * big-endian counter, then `0x01` for the final chunk or `0x00` for any other.
 *
 * @param index The chunk index, a safe integer.
 * @param final Whether this is the last chunk of the file.
 * @param into A 12-byte buffer to fill (reused by the streams).
 * @returns `into`.
 */
export function chunkNonce(index: number, final: boolean, into: Uint8Array): Uint8Array {
  const view = new DataView(into.buffer, into.byteOffset, NONCE_LEN);
  view.setUint8(0, 0);
  view.setUint16(1, 0);
  view.setUint32(3, Math.floor(index / TWO_POW_32));
  view.setUint32(7, index % TWO_POW_32);
  view.setUint8(11, final ? 1 : 0);
  return into;
}
