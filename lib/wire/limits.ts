/**
 * Byte limits of the wire format, named so that every check reads as a rule.
 *
 * @module
 */

/** Bytes of the length prefix in front of every frame (unsigned, big-endian). */
export const FRAME_HEADER_BYTES = 4;

/**
 * The largest frame body accepted or sent. It is the Noise limit on one
 * message (https://noiseprotocol.org/noise.html#message-format), so that a
 * frame body is always exactly one Noise message.
 */
export const MAX_FRAME_BYTES = 65_535;

/** Bytes of the protocol preamble each side sends before the handshake. */
export const PREAMBLE_BYTES = 8;
