/**
 * The Noise CipherState object: a key `k` and a counter nonce `n`.
 *
 * Spec: https://noiseprotocol.org/noise.html (section 5.1 "The CipherState object").
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { type CipherFunctions, KEY_LEN, NONCE_LEN } from "./cipher_functions.ts";

/**
 * The first nonce that is refused: EncryptWithAd and DecryptWithAd throw once
 * `n` reaches it.
 *
 * Deviation from the spec: the spec reserves 2^64-1 and allows every smaller
 * nonce. `n` is a JS number here, exact only up to 2^53-1, and a BigInt per
 * frame would cost on the hot path. The cap is never reached in practice
 * (2^53 frames of 64 KiB are about 590 EB), and every nonce below it encodes
 * exactly as the spec's 64-bit counter, so the wire format is unchanged.
 */
export const MAX_NONCE: number = Number.MAX_SAFE_INTEGER;

/** Encoded nonce 2^64-1, reserved for REKEY; both byte orders agree on it. */
const REKEY_NONCE = Uint8Array.of(0, 0, 0, 0, ...new Uint8Array(8).fill(0xff));

/**
 * A CipherState: encrypts and decrypts with a key and an incrementing nonce.
 * Without a key ("empty" `k`) both operations are the identity.
 *
 * @example Transport encryption
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHACHA_POLY } from "./cipher_functions.ts";
 * import { CipherState } from "./cipher_state.ts";
 * const sender = new CipherState(CHACHA_POLY);
 * const receiver = new CipherState(CHACHA_POLY);
 * const k = crypto.getRandomValues(new Uint8Array(32));
 * sender.initializeKey(k);
 * receiver.initializeKey(k);
 * const ad = new Uint8Array();
 * const ciphertext = sender.encryptWithAd(ad, Uint8Array.of(1, 2, 3));
 * assert.deepEqual(receiver.decryptWithAd(ad, ciphertext), Uint8Array.of(1, 2, 3));
 * ```
 */
export class CipherState {
  readonly #cipher: CipherFunctions;
  #k: Uint8Array | null = null;
  #n = 0;
  readonly #nonce = new Uint8Array(NONCE_LEN);
  readonly #nonceView = new DataView(this.#nonce.buffer);

  /**
   * @param cipher The cipher functions to use.
   */
  constructor(cipher: CipherFunctions) {
    this.#cipher = cipher;
  }

  /** The cipher functions this state uses. */
  get cipher(): CipherFunctions {
    return this.#cipher;
  }

  /**
   * InitializeKey(key): sets `k` (copied) and resets `n` to 0.
   *
   * @param key A 32-byte key, or `null` for the empty key.
   * @throws {RangeError} When `key` is not 32 bytes long.
   */
  initializeKey(key: Uint8Array | null): void {
    if (key !== null && key.length !== KEY_LEN) {
      throw new RangeError(`Cannot initialize key of ${key.length} bytes: expected ${KEY_LEN}`);
    }
    this.#k = key === null ? null : new Uint8Array(key);
    this.#n = 0;
  }

  /**
   * HasKey().
   *
   * @returns `true` when `k` is not empty.
   */
  hasKey(): boolean {
    return this.#k !== null;
  }

  /**
   * SetNonce(nonce): sets `n`, for out-of-order transports and for tests.
   *
   * @param nonce A safe integer from 0 to {@linkcode MAX_NONCE}.
   * @throws {RangeError} When `nonce` is out of range.
   */
  setNonce(nonce: number): void {
    if (!Number.isSafeInteger(nonce) || nonce < 0) {
      throw new RangeError(`Cannot set nonce ${nonce}: expected an integer from 0 to ${MAX_NONCE}`);
    }
    this.#n = nonce;
  }

  /**
   * EncryptWithAd(ad, plaintext): encrypts with nonce `n`, then increments `n`.
   *
   * @param ad The associated data.
   * @param plaintext The bytes to encrypt.
   * @param headroom Bytes to leave free in front of the ciphertext (for a
   *   frame header). @default {0}
   * @param into A buffer to seal into (see `CipherFunctions.encrypt`). @default {a new array}
   * @returns `headroom` free bytes then `ciphertext || tag`; with an empty
   *   `k`, the plaintext (copied behind the headroom when there is one).
   * @throws {FerryError} With code `"protocol"` when `n` reached {@linkcode MAX_NONCE}.
   */
  encryptWithAd(
    ad: Uint8Array,
    plaintext: Uint8Array,
    headroom = 0,
    into?: Uint8Array,
  ): Uint8Array {
    if (this.#k === null) {
      if (headroom === 0) return plaintext;
      const out = new Uint8Array(headroom + plaintext.byteLength);
      out.set(plaintext, headroom);
      return out;
    }
    if (this.#n >= MAX_NONCE) {
      throw new FerryError(
        "protocol",
        "Cannot encrypt: nonce space exhausted, a new handshake is required",
      );
    }
    this.#cipher.encodeNonce(this.#n, this.#nonceView);
    const ciphertext = this.#cipher.encrypt(this.#k, this.#nonce, ad, plaintext, headroom, into);
    this.#n++;
    return ciphertext;
  }

  /**
   * DecryptWithAd(ad, ciphertext): decrypts with nonce `n`, then increments
   * `n`. On failure `n` is left unchanged.
   *
   * @param ad The associated data.
   * @param ciphertext `ciphertext || tag`.
   * @returns The plaintext, or `ciphertext` itself when `k` is empty.
   * @throws {FerryError} With code `"protocol"` when authentication fails or
   * `n` reached {@linkcode MAX_NONCE}.
   */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (this.#k === null) return ciphertext;
    if (this.#n >= MAX_NONCE) {
      throw new FerryError(
        "protocol",
        "Cannot decrypt: nonce space exhausted, a new handshake is required",
      );
    }
    this.#cipher.encodeNonce(this.#n, this.#nonceView);
    const plaintext = this.#cipher.decrypt(this.#k, this.#nonce, ad, ciphertext);
    this.#n++;
    return plaintext;
  }

  /**
   * Rekey(): replaces `k` with the first 32 bytes of ENCRYPT(k, 2^64-1,
   * zerolen, zeros). `n` is unchanged.
   *
   * @throws {TypeError} When `k` is empty.
   */
  rekey(): void {
    if (this.#k === null) throw new TypeError("Cannot rekey: the key is empty");
    const zeros = new Uint8Array(KEY_LEN);
    const sealed = this.#cipher.encrypt(this.#k, REKEY_NONCE, new Uint8Array(), zeros);
    this.#k = sealed.slice(0, KEY_LEN);
  }
}
