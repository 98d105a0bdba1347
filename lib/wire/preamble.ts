/**
 * The preamble: the 8 bytes each side sends before the Noise handshake.
 *
 * They are the magic `ferry\0` and the sender's protocol version (u16,
 * big-endian). A server that does not speak the client's version answers
 * with its own preamble and closes, so the client can say which versions
 * met. Both preambles are part of the Noise prologue, so a man in the middle
 * cannot change them unseen.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { PROTOCOL_VERSION } from "../core/version.ts";
import { PREAMBLE_BYTES } from "./limits.ts";

const MAGIC = new TextEncoder().encode("ferry\0");

/**
 * Encodes a preamble.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodePreamble, encodePreamble } from "./preamble.ts";
 * assert.equal(decodePreamble(encodePreamble(7)), 7);
 * ```
 *
 * @param version The protocol version to announce.
 * @returns The 8 preamble bytes.
 */
export function encodePreamble(version: number = PROTOCOL_VERSION): Uint8Array {
  const bytes = new Uint8Array(PREAMBLE_BYTES);
  bytes.set(MAGIC);
  new DataView(bytes.buffer).setUint16(MAGIC.length, version);
  return bytes;
}

/**
 * Decodes a preamble.
 *
 * @param bytes The 8 bytes received.
 * @returns The peer's protocol version.
 * @throws {FerryError} `protocol` when the bytes are not a ferry preamble.
 */
export function decodePreamble(bytes: Uint8Array): number {
  const magicMatches = bytes.byteLength === PREAMBLE_BYTES &&
    MAGIC.every((byte, i) => bytes[i] === byte);
  if (!magicMatches) {
    throw new FerryError("protocol", "Cannot start session: the peer does not speak ferry");
  }
  return new DataView(bytes.buffer, bytes.byteOffset).getUint16(MAGIC.length);
}
