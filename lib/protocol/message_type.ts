/**
 * Message types of the ferry protocol, see docs/PROTOCOL.md.
 *
 * Every decrypted transport message starts with a 1-byte type and a 4-byte
 * request id (u32, big-endian); the body follows.
 *
 * @module
 */

/** The message type table. */
export const MessageType = {
  /** Client to server: a JSON {@linkcode Request}. */
  REQUEST: 1,
  /** Server to client: the JSON result of a request (or a "ready" for a transfer). */
  REPLY: 2,
  /** Server to client: a JSON `{ code, message }`; ends the request. */
  ERROR: 3,
  /** Either way: raw file bytes of a transfer. */
  DATA: 4,
  /** Either way: a JSON `{ sha256, size }` that ends a transfer's bytes. */
  END: 5,
  /** Server to client: a JSON array of entries, one page of a listing. */
  PAGE: 6,
  /** Client to server: give up on a request (body empty). */
  CANCEL: 7,
  /** Either way: file bytes compressed with deflate-raw (`--compress`). */
  DATA_DEFLATE: 8,
} as const;

/** One of the values of {@linkcode MessageType}. */
export type MessageType = typeof MessageType[keyof typeof MessageType];

/** Bytes in front of every message body: type (1) and request id (4). */
export const MESSAGE_HEADER_BYTES = 5;
