/**
 * The magic that starts every encrypted file (`docs/ENCRYPTION.md` §2.1),
 * on its own so that a reader that only tells encrypted files apart (the
 * server marking them in a listing) needs none of the cryptography.
 * Imports nothing.
 *
 * @module
 */

/** The first 8 bytes of every encrypted file (`\x89ferry\r\n`, in the manner of PNG). */
export const ENCRYPTED_MAGIC: Uint8Array = Uint8Array.fromHex("8966657272790d0a");

/**
 * Tells whether bytes start like an encrypted file (any version), e.g. to
 * mark encrypted files in a listing.
 *
 * @param firstBytes The first bytes of a file; at least 8 are needed.
 * @returns `true` when they start with {@linkcode ENCRYPTED_MAGIC}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENCRYPTED_MAGIC, isEncryptedFile } from "./magic.ts";
 * assert.equal(isEncryptedFile(ENCRYPTED_MAGIC), true);
 * assert.equal(isEncryptedFile(new TextEncoder().encode("hello, world")), false);
 * ```
 */
export function isEncryptedFile(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= ENCRYPTED_MAGIC.length &&
    ENCRYPTED_MAGIC.every((byte, i) => firstBytes[i] === byte);
}

/**
 * Tells whether bytes, fewer than the magic, are its beginning: a stream
 * that has seen only these may still be an encrypted file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ENCRYPTED_MAGIC, isMagicPrefix } from "./magic.ts";
 * assert.equal(isMagicPrefix(ENCRYPTED_MAGIC.subarray(0, 3)), true);
 * assert.equal(isMagicPrefix(ENCRYPTED_MAGIC), false);
 * assert.equal(isMagicPrefix(new Uint8Array([0x89, 0])), false);
 * ```
 *
 * @param bytes The first bytes of a file.
 * @returns `true` when they are shorter than the magic and match its start.
 */
export function isMagicPrefix(bytes: Uint8Array): boolean {
  return bytes.length < ENCRYPTED_MAGIC.length &&
    bytes.every((byte, i) => ENCRYPTED_MAGIC[i] === byte);
}
