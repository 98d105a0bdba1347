/**
 * The protocol version and the preamble that carries it.
 *
 * Before the Noise handshake each side sends 8 bytes: the magic `ferry\0`
 * and its protocol version (u16, big-endian). A server that does not speak
 * the client's version answers with its own preamble and closes, so the
 * client can say which versions met. Both preambles are part of the Noise
 * prologue, so a man in the middle cannot change them unseen.
 *
 * @module
 */

import { FerryError } from "../errors.ts";
import { PREAMBLE_BYTES } from "../wire/limits.ts";

/** The version of the ferry protocol this code speaks. */
export const PROTOCOL_VERSION = 1;

/**
 * Optional behaviours this server offers, named in its hello (`features`).
 * A client uses one only when the server names it, so older peers on
 * either side keep working.
 *
 * - `eager-put`: a `put` with `eager` sends its one `DATA` and `END` right
 *   behind the request, without waiting for `REPLY {offset}` (one round trip
 *   per small file instead of two).
 * - `put-sha256`: a `put` may carry the client's `sha256` of the file; when
 *   the path holds a file with that SHA-256, the answer is
 *   `REPLY {skipped: "identical"}` and no byte is sent (no listing needed).
 * - `usage`: the `usage` request (the client's `df`).
 */
export const SERVER_FEATURES: readonly string[] = ["eager-put", "put-sha256", "usage"];

/** The product version reported by `--version` and in the handshake. */
export const FERRY_VERSION = "0.1.0";

const MAGIC = new TextEncoder().encode("ferry\0");

/**
 * Encodes a preamble.
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
