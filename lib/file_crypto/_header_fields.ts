/**
 * Offsets of the version 1 header's fields (see `header.ts` and
 * `docs/ENCRYPTION.md`). Private to `lib/file_crypto/`.
 *
 * @module
 */

import { KEY_BYTES, TAG_LEN } from "./_primitives.ts";

/** Offsets and lengths of the fields after the fixed part. */
export const FIELDS = {
  kdf: 20,
  scryptSalt: 24,
  fileSalt: 40,
  fileSaltBytes: 32,
  keyCheck: 72,
  keyCheckBytes: 16,
  wrappedKey: 88,
  wrappedKeyBytes: KEY_BYTES + TAG_LEN,
  checksum: 136,
  checksumBytes: 16,
} as const;

/** The bytes of one field of a header. */
export function field(
  header: { readonly bytes: Uint8Array },
  name: "fileSalt" | "keyCheck" | "wrappedKey",
): Uint8Array {
  const start = FIELDS[name];
  return header.bytes.subarray(start, start + FIELDS[`${name}Bytes`]);
}
