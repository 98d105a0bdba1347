/**
 * The Noise cipher functions `ChaChaPoly` and `AESGCM`.
 *
 * Spec: https://noiseprotocol.org/noise.html (sections "Cipher functions",
 * "The ChaChaPoly cipher functions" and "The AESGCM cipher functions").
 *
 * Both run synchronously through `node:crypto`: WebCrypto has no
 * ChaCha20-Poly1305 and is asynchronous. ChaChaPoly is ferry's transport
 * cipher (about 1.4 GB/s here against about 255 MB/s for AES-256-GCM); AESGCM
 * exists for the conformance vectors.
 *
 * @module
 */

import { createCipheriv, createDecipheriv } from "node:crypto";
import { FerryError } from "../core/errors.ts";

/** Length in bytes of a cipher key `k`. */
export const KEY_LEN = 32;

/** Length in bytes of an encoded nonce as the AEAD primitive takes it. */
export const NONCE_LEN = 12;

/** Length in bytes of the authentication tag appended to every ciphertext. */
export const TAG_LEN = 16;

/**
 * A Noise cipher function: an AEAD with a 32-byte key, a 16-byte tag and a
 * 64-bit counter nonce `n` encoded into 12 bytes.
 */
export interface CipherFunctions {
  /** The name used in the Noise protocol name, e.g. `Noise_XX_25519_ChaChaPoly_SHA256`. */
  readonly name: "ChaChaPoly" | "AESGCM";
  /**
   * ENCRYPT(k, n, ad, plaintext).
   *
   * @param k The 32-byte key.
   * @param nonce The 12-byte nonce, already encoded with {@linkcode CipherFunctions.encodeNonce}.
   * @param ad The associated data.
   * @param plaintext The bytes to encrypt.
   * @param headroom Bytes left free in front of the ciphertext, for a frame
   *   header, so the caller needs no second buffer and copy. @default {0}
   * @param into A buffer to seal into (a reused frame buffer), of at least
   *   `headroom + plaintext.length + TAG_LEN` bytes. @default {a new array}
   * @returns `headroom` free bytes, then `ciphertext || tag` (a view of `into` when given).
   */
  encrypt(
    k: Uint8Array,
    nonce: Uint8Array,
    ad: Uint8Array,
    plaintext: Uint8Array,
    headroom?: number,
    into?: Uint8Array,
  ): Uint8Array;
  /**
   * DECRYPT(k, n, ad, ciphertext).
   *
   * @param k The 32-byte key.
   * @param nonce The 12-byte nonce, already encoded with {@linkcode CipherFunctions.encodeNonce}.
   * @param ad The associated data.
   * @param ciphertext `ciphertext || tag`.
   * @returns The plaintext.
   * @throws {FerryError} With code `"protocol"` when the ciphertext is shorter
   * than the tag or fails authentication.
   */
  decrypt(k: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /**
   * Writes the 12-byte nonce for counter `n` into `into`: 4 zero bytes, then
   * `n` as 64 bits in the cipher's byte order.
   *
   * @param n The counter, a non-negative safe integer (checked by `CipherState`).
   * @param into A view over at least {@linkcode NONCE_LEN} bytes.
   */
  encodeNonce(n: number, into: DataView): void;
}

/**
 * The subset of node's AEAD cipher objects that sealing needs. `@types/node`
 * requires `plaintextLength` for ChaCha20-Poly1305 (node needs it only for
 * CCM); passing it is harmless.
 */
interface AeadCipher {
  setAAD(ad: Uint8Array, options: { plaintextLength: number }): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  getAuthTag(): Uint8Array;
}

/** The subset of node's AEAD decipher objects that opening needs. */
interface AeadDecipher {
  setAAD(ad: Uint8Array, options: { plaintextLength: number }): unknown;
  setAuthTag(tag: Uint8Array): unknown;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}

/** 2^32, to split a counter into two 32-bit halves without BigInt. */
const TWO_POW_32 = 0x1_0000_0000;

/**
 * Seals into `into` (or a new array): node's `update` still allocates its
 * output, which is copied into the caller's reused frame buffer, so no array
 * of ferry's own is made per record and the output is garbage at once.
 */
function seal(
  cipher: AeadCipher,
  ad: Uint8Array,
  plaintext: Uint8Array,
  headroom: number,
  into: Uint8Array | undefined,
): Uint8Array {
  const length = headroom + plaintext.length + TAG_LEN;
  if (into !== undefined && into.byteLength < length) {
    throw new RangeError(`Cannot seal ${length} bytes into a buffer of ${into.byteLength}`);
  }
  cipher.setAAD(ad, { plaintextLength: plaintext.length });
  const body = cipher.update(plaintext);
  // Stream AEADs emit nothing on final(); it only computes the tag.
  cipher.final();
  // One plain Uint8Array (not a pooled Buffer) holding ciphertext || tag.
  const out = into === undefined ? new Uint8Array(length) : into.subarray(0, length);
  out.set(body, headroom);
  out.set(cipher.getAuthTag(), headroom + body.length);
  return out;
}

function checkLength(ciphertext: Uint8Array): void {
  if (ciphertext.length < TAG_LEN) {
    throw new FerryError(
      "protocol",
      `Cannot decrypt ciphertext of ${ciphertext.length} bytes: shorter than the ${TAG_LEN}-byte tag`,
    );
  }
}

function open(decipher: AeadDecipher, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  const end = ciphertext.length - TAG_LEN;
  decipher.setAAD(ad, { plaintextLength: end });
  decipher.setAuthTag(ciphertext.subarray(end));
  // update() hands back unauthenticated bytes; they are returned only if final() passes.
  const body = decipher.update(ciphertext.subarray(0, end));
  try {
    decipher.final();
  } catch (error) {
    throw new FerryError("protocol", "Cannot decrypt ciphertext: authentication failed", {
      cause: error,
    });
  }
  return toPlainBytes(body);
}

/**
 * Node hands back a `Buffer`, whose `slice()` shares memory. Give callers a plain
 * `Uint8Array` view instead, copying only if the `Buffer` sits in a shared pool.
 */
function toPlainBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? new Uint8Array(bytes.buffer, 0, bytes.byteLength)
    : new Uint8Array(bytes);
}

/**
 * ChaChaPoly: ChaCha20-Poly1305 (RFC 8439) with the counter as 64-bit
 * little-endian after 4 zero bytes.
 *
 * @example Encrypt and decrypt one message
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHACHA_POLY, NONCE_LEN } from "./cipher_functions.ts";
 * const k = new Uint8Array(32);
 * const nonce = new Uint8Array(NONCE_LEN);
 * CHACHA_POLY.encodeNonce(0, new DataView(nonce.buffer));
 * const ad = new Uint8Array();
 * const sealed = CHACHA_POLY.encrypt(k, nonce, ad, new Uint8Array([1, 2, 3]));
 * assert.deepEqual(CHACHA_POLY.decrypt(k, nonce, ad, sealed), new Uint8Array([1, 2, 3]));
 * ```
 */
export const CHACHA_POLY: CipherFunctions = Object.freeze({
  name: "ChaChaPoly",
  encrypt(
    k: Uint8Array,
    nonce: Uint8Array,
    ad: Uint8Array,
    plaintext: Uint8Array,
    headroom = 0,
    into?: Uint8Array,
  ): Uint8Array {
    const cipher = createCipheriv("chacha20-poly1305", k, nonce, { authTagLength: TAG_LEN });
    return seal(cipher, ad, plaintext, headroom, into);
  },
  decrypt(k: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    checkLength(ciphertext);
    const decipher = createDecipheriv("chacha20-poly1305", k, nonce, { authTagLength: TAG_LEN });
    return open(decipher, ad, ciphertext);
  },
  encodeNonce(n: number, into: DataView): void {
    into.setUint32(0, 0);
    into.setUint32(4, n % TWO_POW_32, true);
    into.setUint32(8, Math.floor(n / TWO_POW_32), true);
  },
});

/**
 * AESGCM: AES-256-GCM with the counter as 64-bit big-endian after 4 zero
 * bytes.
 *
 * @example Encrypt and decrypt one message
 * ```ts
 * import assert from "node:assert/strict";
 * import { AES_GCM, NONCE_LEN } from "./cipher_functions.ts";
 * const k = new Uint8Array(32);
 * const nonce = new Uint8Array(NONCE_LEN);
 * AES_GCM.encodeNonce(7, new DataView(nonce.buffer));
 * const ad = new Uint8Array([9]);
 * const sealed = AES_GCM.encrypt(k, nonce, ad, new Uint8Array([1, 2, 3]));
 * assert.deepEqual(AES_GCM.decrypt(k, nonce, ad, sealed), new Uint8Array([1, 2, 3]));
 * ```
 */
export const AES_GCM: CipherFunctions = Object.freeze({
  name: "AESGCM",
  encrypt(
    k: Uint8Array,
    nonce: Uint8Array,
    ad: Uint8Array,
    plaintext: Uint8Array,
    headroom = 0,
    into?: Uint8Array,
  ): Uint8Array {
    const cipher = createCipheriv("aes-256-gcm", k, nonce, { authTagLength: TAG_LEN });
    return seal(cipher, ad, plaintext, headroom, into);
  },
  decrypt(k: Uint8Array, nonce: Uint8Array, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    checkLength(ciphertext);
    const decipher = createDecipheriv("aes-256-gcm", k, nonce, { authTagLength: TAG_LEN });
    return open(decipher, ad, ciphertext);
  },
  encodeNonce(n: number, into: DataView): void {
    into.setUint32(0, 0);
    into.setUint32(4, Math.floor(n / TWO_POW_32));
    into.setUint32(8, n % TWO_POW_32);
  },
});
