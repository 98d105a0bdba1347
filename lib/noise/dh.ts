/**
 * The Noise DH functions for Curve25519 (X25519), on WebCrypto.
 *
 * Spec: https://noiseprotocol.org/noise.html (sections "DH functions" and
 * "The 25519 DH functions").
 *
 * WebCrypto refuses `"raw"` for an X25519 private key (and Deno 2.9 reports
 * `"raw-private"` as not implemented), so private keys go in as PKCS#8: a
 * fixed 16-byte DER header followed by the 32-byte scalar.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";

/** DHLEN: the length in bytes of a public key and of a DH output. */
export const DHLEN = 32;

/** A raw X25519 key pair. */
export interface KeyPair {
  /** The 32-byte public key (a u-coordinate, little-endian). */
  publicKey: Uint8Array;
  /** The 32-byte private scalar, unclamped (X25519 clamps it on use). */
  privateKey: Uint8Array;
}

/** DER header of a PKCS#8 `PrivateKeyInfo` for X25519 (OID 1.3.101.110). */
const PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  0x06,
  0x03,
  0x2b,
  0x65,
  0x6e,
  0x04,
  0x22,
  0x04,
  0x20,
);

/** The X25519 base point, u = 9. */
const BASE_POINT = Uint8Array.of(9, ...new Uint8Array(DHLEN - 1));

const X25519 = { name: "X25519" } as const;

function checkKeyLength(key: Uint8Array, what: string): void {
  if (key.length !== DHLEN) {
    throw new RangeError(`Cannot use X25519 ${what} of ${key.length} bytes: expected ${DHLEN}`);
  }
}

function importPrivateKey(privateKey: Uint8Array): Promise<CryptoKey> {
  checkKeyLength(privateKey, "private key");
  const der = new Uint8Array(PKCS8_PREFIX.length + DHLEN);
  der.set(PKCS8_PREFIX);
  der.set(privateKey, PKCS8_PREFIX.length);
  return crypto.subtle.importKey("pkcs8", der, X25519, false, ["deriveBits"]);
}

async function deriveBits(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  const secret = await importPrivateKey(privateKey);
  checkKeyLength(publicKey, "public key");
  // Copy: WebCrypto wants an ArrayBuffer-backed view, the caller may hold any.
  const remote = await crypto.subtle.importKey("raw", new Uint8Array(publicKey), X25519, false, []);
  return new Uint8Array(await crypto.subtle.deriveBits({ ...X25519, public: remote }, secret, 256));
}

/**
 * DH(key_pair, public_key): X25519 of a private key and a public key.
 *
 * Deno's X25519 refuses a low-order public key (the all-zero result) with an
 * `OperationError`; that is reported as a protocol failure, as the spec allows.
 *
 * @example Both sides agree
 * ```ts
 * import assert from "node:assert/strict";
 * import { dh, generateKeyPair } from "./dh.ts";
 * const a = await generateKeyPair();
 * const b = await generateKeyPair();
 * assert.deepEqual(await dh(a.privateKey, b.publicKey), await dh(b.privateKey, a.publicKey));
 * ```
 *
 * @param privateKey Our 32-byte private key.
 * @param publicKey The peer's 32-byte public key.
 * @returns The 32-byte shared secret.
 * @throws {RangeError} When a key is not 32 bytes long.
 * @throws {FerryError} With code `"protocol"` when the public key is invalid.
 */
export async function dh(privateKey: Uint8Array, publicKey: Uint8Array): Promise<Uint8Array> {
  try {
    return await deriveBits(privateKey, publicKey);
  } catch (error) {
    if (error instanceof RangeError) throw error;
    throw new FerryError("protocol", "Cannot compute X25519: the public key is invalid", {
      cause: error,
    });
  }
}

/**
 * Builds the key pair for a known private key, deriving the public key.
 *
 * @example RFC 7748 section 6.1
 * ```ts
 * import assert from "node:assert/strict";
 * import { keyPairFromPrivateKey } from "./dh.ts";
 * const pair = await keyPairFromPrivateKey(
 *   Uint8Array.fromHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"),
 * );
 * assert.equal(
 *   pair.publicKey.toHex(),
 *   "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
 * );
 * ```
 *
 * @param privateKey A 32-byte private scalar; it is copied.
 * @returns The key pair.
 * @throws {RangeError} When `privateKey` is not 32 bytes long.
 */
export async function keyPairFromPrivateKey(privateKey: Uint8Array): Promise<KeyPair> {
  checkKeyLength(privateKey, "private key");
  // WebCrypto has no "public from private"; X25519 with the base point is exactly that.
  const publicKey = await deriveBits(privateKey, BASE_POINT);
  return { publicKey, privateKey: new Uint8Array(privateKey) };
}

/**
 * GENERATE_KEYPAIR(): a new random X25519 key pair.
 *
 * @example Generate a key pair
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateKeyPair } from "./dh.ts";
 * const pair = await generateKeyPair();
 * assert.equal(pair.publicKey.length, 32);
 * ```
 *
 * @returns The key pair.
 */
export function generateKeyPair(): Promise<KeyPair> {
  // Any 32 random bytes are a valid X25519 private key (RFC 7748 section 6.1).
  return keyPairFromPrivateKey(crypto.getRandomValues(new Uint8Array(DHLEN)));
}
