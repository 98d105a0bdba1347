/**
 * Key fingerprints in OpenSSH's form: `SHA256:` and unpadded base64.
 *
 * @module
 */

import { createHash } from "node:crypto";

/**
 * Computes the fingerprint of a static public key.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fingerprint } from "./fingerprint.ts";
 * assert.ok(fingerprint(new Uint8Array(32)).startsWith("SHA256:"));
 * ```
 *
 * @param publicKey The raw 32-byte X25519 public key.
 * @returns `SHA256:<base64 without padding>`.
 */
export function fingerprint(publicKey: Uint8Array): string {
  const digest = createHash("sha256").update(publicKey).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}
