/**
 * Byte limits of the wire format, named so that every check reads as a rule.
 *
 * @module
 */

/** Bytes of the length prefix in front of every frame (unsigned, big-endian). */
export const FRAME_HEADER_BYTES = 4;

/**
 * The largest frame body of the handshake: the Noise limit on one message
 * (https://noiseprotocol.org/noise.html#message-format), so that a
 * handshake frame is always exactly one Noise message.
 */
export const MAX_HANDSHAKE_FRAME_BYTES = 65_535;

/**
 * The largest frame body accepted or sent at all: after the handshake, one
 * record of ferry's own record layer (protocol 2, docs/PROTOCOL.md "Records"),
 * 256 KiB of plaintext and its 16-byte tag.
 */
export const MAX_FRAME_BYTES = 256 * 1024 + 16;

/** Bytes of the protocol preamble each side sends before the handshake. */
export const PREAMBLE_BYTES = 8;
