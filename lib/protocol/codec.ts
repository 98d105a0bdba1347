/**
 * Encodes and decodes ferry messages (the plaintext of one transport frame).
 *
 * @module
 */

import { type ErrorCode, FerryError } from "../core/errors.ts";
import { MESSAGE_HEADER_BYTES, MessageType } from "./message_type.ts";

/** A decoded message. `body` is a view that shares memory with the input. */
export interface Message {
  /** What the message is. */
  type: MessageType;
  /** The request it belongs to. */
  id: number;
  /** The body after the header. */
  body: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const KNOWN_TYPES = new Set<number>(Object.values(MessageType));

/**
 * Writes the 5-byte message header into the start of `into`.
 *
 * @param into The buffer whose first 5 bytes receive the header.
 * @param type The message type.
 * @param id The request id.
 */
export function writeMessageHeader(into: Uint8Array, type: MessageType, id: number): void {
  into[0] = type;
  new DataView(into.buffer, into.byteOffset, MESSAGE_HEADER_BYTES).setUint32(1, id);
}

/**
 * Encodes a message whose body is raw bytes.
 *
 * @param type The message type.
 * @param id The request id.
 * @param body The body bytes.
 * @returns header + body in one new array.
 */
export function encodeMessage(type: MessageType, id: number, body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(MESSAGE_HEADER_BYTES + body.byteLength);
  writeMessageHeader(bytes, type, id);
  bytes.set(body, MESSAGE_HEADER_BYTES);
  return bytes;
}

/**
 * Encodes a message whose body is JSON.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeJsonMessage, decodeMessage, decodeJsonBody } from "./codec.ts";
 * import { MessageType } from "./message_type.ts";
 * const bytes = encodeJsonMessage(MessageType.REQUEST, 7, { op: "stat", path: "a" });
 * const message = decodeMessage(bytes);
 * assert.equal(message.id, 7);
 * assert.equal((decodeJsonBody(message) as { op: string }).op, "stat");
 * ```
 */
export function encodeJsonMessage(type: MessageType, id: number, value: unknown): Uint8Array {
  return encodeMessage(type, id, encoder.encode(JSON.stringify(value)));
}

/**
 * Decodes a message header.
 *
 * @param bytes One decrypted transport message.
 * @returns The message, its body a view into `bytes`.
 * @throws {FerryError} `protocol` when too short or of an unknown type.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  if (bytes.byteLength < MESSAGE_HEADER_BYTES) {
    throw new FerryError("protocol", `Cannot decode message of ${bytes.byteLength} bytes`);
  }
  const type = bytes[0] as number;
  if (!KNOWN_TYPES.has(type)) {
    throw new FerryError("protocol", `Cannot decode message of unknown type ${type}`);
  }
  const id = new DataView(bytes.buffer, bytes.byteOffset, MESSAGE_HEADER_BYTES).getUint32(1);
  return { type: type as MessageType, id, body: bytes.subarray(MESSAGE_HEADER_BYTES) };
}

/**
 * Parses a message body as JSON.
 *
 * @param message The message.
 * @param code The error code when it is not JSON: `protocol` for what a
 *   server sends, `bad_request` for a client's request or `END`.
 * @throws {FerryError} `code` when it is not UTF-8 JSON.
 */
export function decodeJsonBody(message: Message, code: ErrorCode = "protocol"): unknown {
  try {
    return JSON.parse(decoder.decode(message.body));
  } catch (cause) {
    throw new FerryError(code, "Cannot decode message body: it is not UTF-8 JSON", { cause });
  }
}
