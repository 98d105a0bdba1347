/**
 * The Noise hash functions for SHA256: HASH, HMAC-HASH and HKDF.
 *
 * Spec: https://noiseprotocol.org/noise.html (sections "Hash functions" and
 * "The SHA256 hash function").
 *
 * These run synchronously through `node:crypto`. HKDF here is the spec's
 * HKDF(chaining_key, input_key_material, num_outputs), which equals RFC 5869
 * HKDF with `salt = chaining_key` and empty `info`.
 *
 * @module
 */

import { createHash, createHmac } from "node:crypto";

/** HASHLEN: the length in bytes of a SHA256 output. */
export const HASHLEN = 32;

/** BLOCKLEN: the SHA256 block length in bytes, used by HMAC. */
export const BLOCKLEN = 64;

function toBytes(digest: Uint8Array): Uint8Array {
  return new Uint8Array(digest);
}

/**
 * HASH(data): SHA256 over the concatenation of `data`.
 *
 * @example Hash two parts
 * ```ts
 * import assert from "node:assert/strict";
 * import { hash } from "./hash_functions.ts";
 * assert.deepEqual(hash(Uint8Array.of(1), Uint8Array.of(2)), hash(Uint8Array.of(1, 2)));
 * ```
 *
 * @param data The parts to hash, in order.
 * @returns The 32-byte digest.
 */
export function hash(...data: Uint8Array[]): Uint8Array {
  const hasher = createHash("sha256");
  for (const part of data) hasher.update(part);
  return toBytes(hasher.digest());
}

/**
 * HMAC-HASH(key, data): HMAC-SHA256 over the concatenation of `data`.
 *
 * @example HMAC of one part
 * ```ts
 * import assert from "node:assert/strict";
 * import { hmacHash } from "./hash_functions.ts";
 * assert.equal(hmacHash(new Uint8Array(32), new Uint8Array()).length, 32);
 * ```
 *
 * @param key The HMAC key.
 * @param data The parts to authenticate, in order.
 * @returns The 32-byte MAC.
 */
export function hmacHash(key: Uint8Array, ...data: Uint8Array[]): Uint8Array {
  const hmac = createHmac("sha256", key);
  for (const part of data) hmac.update(part);
  return toBytes(hmac.digest());
}

/**
 * HKDF(chaining_key, input_key_material, num_outputs).
 *
 * @example Two outputs
 * ```ts
 * import assert from "node:assert/strict";
 * import { hkdf } from "./hash_functions.ts";
 * const [output1, output2] = hkdf(new Uint8Array(32), new Uint8Array(), 2);
 * assert.equal(output1.length, 32);
 * assert.notDeepEqual(output1, output2);
 * ```
 *
 * @param chainingKey The 32-byte chaining key `ck`.
 * @param inputKeyMaterial Zero, 32 bytes or DHLEN bytes of key material.
 * @param numOutputs How many 32-byte outputs to derive.
 * @returns The outputs.
 */
export function hkdf(
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  numOutputs: 2,
): [Uint8Array, Uint8Array];
export function hkdf(
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  numOutputs: 3,
): [Uint8Array, Uint8Array, Uint8Array];
export function hkdf(
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  numOutputs: 2 | 3,
): Uint8Array[] {
  const tempKey = hmacHash(chainingKey, inputKeyMaterial);
  const output1 = hmacHash(tempKey, Uint8Array.of(0x01));
  const output2 = hmacHash(tempKey, output1, Uint8Array.of(0x02));
  if (numOutputs === 2) return [output1, output2];
  return [output1, output2, hmacHash(tempKey, output2, Uint8Array.of(0x03))];
}
