/**
 * The versions ferry reports: the product's and the protocol's.
 *
 * @module
 */

/**
 * The version of the ferry protocol this code speaks (sent in the preamble).
 * 2: records of up to 256 KiB after the handshake (docs/PROTOCOL.md).
 */
export const PROTOCOL_VERSION = 2;

/** The product version reported by `--version` and in the handshake. */
export const FERRY_VERSION = "0.1.0";
