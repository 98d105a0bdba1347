/**
 * Password hashing with scrypt, per-user salt, and constant-time checks.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/** A stored password verifier. */
export interface PasswordHash {
  /** Always `"scrypt"` for now; a new algorithm gets a new name. */
  algorithm: "scrypt";
  /** CPU/memory cost. */
  n: number;
  /** Block size. */
  r: number;
  /** Parallelism. */
  p: number;
  /** Base64 random salt, 16 bytes. */
  salt: string;
  /** Base64 derived key, 32 bytes. */
  hash: string;
}

/** The cost used for new hashes: 16 MiB and about 50 ms per check here. */
export const SCRYPT_COST = { n: 16_384, r: 8, p: 1 } as const;

const KEY_BYTES = 32;

/** The scrypt cost parameters of a hash. */
export type ScryptCost = Pick<PasswordHash, "n" | "r" | "p">;

/**
 * Derives the key of a password: scrypt, on some thread. The server runs
 * it on threads of its own ({@linkcode ScryptThreads}) so that its memory
 * is reused, not kept once per thread of the runtime's pool.
 */
export type DeriveKey = (
  password: string,
  salt: Uint8Array,
  cost: ScryptCost,
) => Promise<Uint8Array>;

/** The arguments of one `node:crypto` scrypt call, wherever it runs. */
export interface ScryptCall {
  /** The password, NFC-normalised. */
  password: string;
  /** The salt. */
  salt: Uint8Array;
  /** Bytes of key to derive. */
  keyBytes: number;
  /** scrypt's options. */
  options: { N: number; r: number; p: number; maxmem: number };
}

/** The scrypt call that derives the key of `password`. */
export function scryptCall(password: string, salt: Uint8Array, cost: ScryptCost): ScryptCall {
  return {
    password: password.normalize("NFC"),
    salt,
    keyBytes: KEY_BYTES,
    options: { N: cost.n, r: cost.r, p: cost.p, maxmem: 256 * cost.n * cost.r },
  };
}

/** {@linkcode DeriveKey} on the runtime's thread pool. */
export function deriveKey(
  password: string,
  salt: Uint8Array,
  cost: ScryptCost,
): Promise<Uint8Array> {
  const call = scryptCall(password, salt, cost);
  return new Promise<Uint8Array>((resolve, reject) => {
    scrypt(
      call.password,
      call.salt,
      call.keyBytes,
      call.options,
      (error, key) => error ? reject(error) : resolve(new Uint8Array(key)),
    );
  });
}

/**
 * Hashes a new password with a fresh salt.
 *
 * @param password The password (NFC-normalised before hashing).
 * @returns The verifier to store.
 */
export async function hashPassword(password: string): Promise<PasswordHash> {
  const salt = randomBytes(16);
  const key = await deriveKey(password, salt, SCRYPT_COST);
  return {
    algorithm: "scrypt",
    ...SCRYPT_COST,
    salt: Buffer.from(salt).toString("base64"),
    hash: Buffer.from(key).toString("base64"),
  };
}

/**
 * Checks a password against a verifier in constant time. With no verifier
 * (unknown user) it still does the full work, so both cases take as long.
 *
 * @param password The password offered.
 * @param stored The stored verifier, or `undefined` for an unknown user.
 * @param derive Where scrypt runs.
 * @returns `true` only when `stored` exists and matches.
 */
export async function verifyPassword(
  password: string,
  stored: PasswordHash | undefined,
  derive: DeriveKey = deriveKey,
): Promise<boolean> {
  const verifier = stored ?? DUMMY_HASH;
  const expected = Buffer.from(verifier.hash, "base64");
  const key = await derive(password, Buffer.from(verifier.salt, "base64"), verifier);
  const same = expected.byteLength === key.byteLength && timingSafeEqual(expected, key);
  return stored !== undefined && same;
}

const DUMMY_HASH: PasswordHash = {
  algorithm: "scrypt",
  ...SCRYPT_COST,
  salt: "AAAAAAAAAAAAAAAAAAAAAA==",
  hash: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
};
