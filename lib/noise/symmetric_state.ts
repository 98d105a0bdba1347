/**
 * The Noise SymmetricState object: a CipherState plus the chaining key `ck`
 * and the handshake hash `h`.
 *
 * Spec: https://noiseprotocol.org/noise.html (section 5.2 "The SymmetricState object").
 *
 * @module
 */

import type { CipherFunctions } from "./cipher_functions.ts";
import { CipherState } from "./cipher_state.ts";
import { hash, HASHLEN, hkdf } from "./hash_functions.ts";

/**
 * A SymmetricState, for the SHA256 hash functions.
 *
 * @example Hash a prologue and encrypt a payload
 * ```ts
 * import assert from "node:assert/strict";
 * import { CHACHA_POLY } from "./cipher_functions.ts";
 * import { SymmetricState } from "./symmetric_state.ts";
 * const state = new SymmetricState(CHACHA_POLY);
 * state.initializeSymmetric("Noise_NN_25519_ChaChaPoly_SHA256");
 * state.mixHash(new TextEncoder().encode("prologue"));
 * state.mixKey(new Uint8Array(32));
 * assert.equal(state.encryptAndHash(Uint8Array.of(1)).length, 17);
 * ```
 */
export class SymmetricState {
  readonly #cipherState: CipherState;
  #ck: Uint8Array = new Uint8Array(HASHLEN);
  #h: Uint8Array = new Uint8Array(HASHLEN);

  /**
   * @param cipher The cipher functions for the CipherState and for Split().
   */
  constructor(cipher: CipherFunctions) {
    this.#cipherState = new CipherState(cipher);
  }

  /**
   * InitializeSymmetric(protocol_name): `h` is the name zero-padded to
   * HASHLEN bytes, or its hash when longer; `ck = h`; the key is emptied.
   *
   * @param protocolName The full protocol name, e.g. `Noise_XX_25519_ChaChaPoly_SHA256`.
   */
  initializeSymmetric(protocolName: string): void {
    const name = new TextEncoder().encode(protocolName);
    if (name.length <= HASHLEN) {
      this.#h = new Uint8Array(HASHLEN);
      this.#h.set(name);
    } else {
      this.#h = hash(name);
    }
    this.#ck = new Uint8Array(this.#h);
    this.#cipherState.initializeKey(null);
  }

  /**
   * MixKey(input_key_material): `ck, temp_k = HKDF(ck, input_key_material, 2)`,
   * then InitializeKey(temp_k).
   *
   * @param inputKeyMaterial A DH output (or other key material).
   */
  mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, tempK] = hkdf(this.#ck, inputKeyMaterial, 2);
    this.#ck = ck;
    this.#cipherState.initializeKey(tempK);
  }

  /**
   * MixHash(data): `h = HASH(h || data)`.
   *
   * @param data The bytes to mix into `h`.
   */
  mixHash(data: Uint8Array): void {
    this.#h = hash(this.#h, data);
  }

  /**
   * MixKeyAndHash(input_key_material), used for pre-shared keys:
   * `ck, temp_h, temp_k = HKDF(ck, input_key_material, 3)`.
   *
   * @param inputKeyMaterial The key material, e.g. a 32-byte PSK.
   */
  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [ck, tempH, tempK] = hkdf(this.#ck, inputKeyMaterial, 3);
    this.#ck = ck;
    this.mixHash(tempH);
    this.#cipherState.initializeKey(tempK);
  }

  /**
   * GetHandshakeHash(): meant for channel binding once the handshake is over.
   *
   * @returns A copy of `h`.
   */
  getHandshakeHash(): Uint8Array {
    return new Uint8Array(this.#h);
  }

  /**
   * HasKey() of the inner CipherState.
   *
   * @returns `true` once a key has been mixed in.
   */
  hasKey(): boolean {
    return this.#cipherState.hasKey();
  }

  /**
   * EncryptAndHash(plaintext): encrypts with `ad = h`, then mixes the
   * ciphertext into `h`. Without a key the plaintext passes through.
   *
   * @param plaintext The bytes to encrypt.
   * @returns The ciphertext.
   * @throws {FerryError} With code `"protocol"` when the nonce is exhausted.
   */
  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.#cipherState.encryptWithAd(this.#h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  /**
   * DecryptAndHash(ciphertext): decrypts with `ad = h`, then mixes the
   * ciphertext into `h`. Without a key the ciphertext passes through.
   *
   * @param ciphertext The bytes to decrypt.
   * @returns The plaintext.
   * @throws {FerryError} With code `"protocol"` when authentication fails.
   */
  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.#cipherState.decryptWithAd(this.#h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  /**
   * Split(): derives the two transport CipherStates from `ck`.
   *
   * @returns `[c1, c2]`: c1 encrypts initiator to responder, c2 responder to initiator.
   */
  split(): [CipherState, CipherState] {
    const [tempK1, tempK2] = hkdf(this.#ck, new Uint8Array(), 2);
    const c1 = new CipherState(this.#cipherState.cipher);
    const c2 = new CipherState(this.#cipherState.cipher);
    c1.initializeKey(tempK1);
    c2.initializeKey(tempK2);
    return [c1, c2];
  }
}
