/**
 * Receives a transfer's bytes: `DATA` / `DATA_DEFLATE` messages until `END`,
 * with `END` validated. The server uses it for uploads and the client for
 * downloads; {@linkcode sendData} is the other end.
 *
 * @module
 */

import { type ErrorCode, FerryError } from "../core/errors.ts";
import { decompressChunk } from "./chunk_compression.ts";
import { decodeJsonBody, type Message } from "./codec.ts";
import { MAX_DATA_BYTES } from "./send_data.ts";
import { MessageType } from "./message_type.ts";
import { fromWireError } from "./wire_error.ts";

/** The body of an `END` message (protocol version 2). */
export interface TransferEnd {
  /** Bytes of the whole file, from offset 0. */
  size: number;
  /**
   * Lower-case hex SHA-256 of the whole file, from offset 0. Always sent by
   * the server on a download; sent by the client on an upload only when it
   * hashed the file (a resume, `--verify`).
   */
  sha256?: string;
  /**
   * Set by the server when `sha256` is the hash its back end recorded for
   * the file (at upload), not one computed while sending: a mismatch then
   * means the stored file changed since.
   */
  recorded?: true;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const END_FIELDS = new Set(["size", "sha256", "recorded"]);

/**
 * Validates the JSON body of an `END`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTransferEnd } from "./receive_data.ts";
 * assert.deepEqual(parseTransferEnd({ size: 3 }, "bad_request"), { size: 3 });
 * assert.throws(() => parseTransferEnd({ size: -1 }, "bad_request"));
 * ```
 *
 * @param value The parsed JSON.
 * @param code The error code for a malformed one: `bad_request` from a client, `protocol` from a server.
 * @param what What is being received, for the message (`the upload of "a.txt"`).
 * @returns The typed `END`.
 * @throws {FerryError} `code` unless it is `{size, sha256?, recorded?}` with a
 *   count and 64 lower-case hex digits.
 */
export function parseTransferEnd(
  value: unknown,
  code: ErrorCode,
  what = "a transfer",
): TransferEnd {
  const end = value as Record<string, unknown> | null;
  const ok = typeof end === "object" && end !== null && !Array.isArray(end) &&
    Number.isSafeInteger(end.size) && (end.size as number) >= 0 &&
    (end.sha256 === undefined || (typeof end.sha256 === "string" && SHA256_HEX.test(end.sha256))) &&
    (end.recorded === undefined || end.recorded === true) &&
    Object.keys(end).every((key) => END_FIELDS.has(key));
  if (!ok) {
    throw new FerryError(
      code,
      `Cannot finish ${what}: END must be {size, sha256?} with a lowercase hex SHA-256`,
    );
  }
  return end as unknown as TransferEnd;
}

/**
 * The file bytes of a received `DATA` or `DATA_DEFLATE` message.
 *
 * @throws {FerryError} `protocol` for a bad or oversized compressed chunk.
 */
export function receivedBytes(message: Message): Uint8Array {
  return message.type === MessageType.DATA_DEFLATE
    ? decompressChunk(message.body, MAX_DATA_BYTES)
    : message.body;
}

/** Options of {@linkcode receiveData}. */
export interface ReceiveDataOptions {
  /** Takes the bytes of each chunk (awaited: backpressure); the buffer is not reused after. */
  write: (bytes: Uint8Array) => Promise<void>;
  /** Bytes the receiver already has (a resume): the first `DATA` continues there. @default {0} */
  offset?: number;
  /** The size `END` must carry, when the receiver knows it beforehand (an upload's announced size). */
  size?: number;
  /** Called with each message's wire bytes before they are used (a rate limit). */
  onWire?: (wireBytes: number) => Promise<void> | void;
  /** Called after each chunk with the bytes held so far (offset included). */
  onProgress?: (done: number) => void;
  /** The error code for a peer that breaks the protocol: `bad_request` on the server, `protocol` on the client. */
  code: ErrorCode;
  /** What is being received, for messages (`the upload of "a.txt"`). */
  what: string;
}

/** What {@linkcode receiveData} received. */
export interface ReceivedData {
  /** The validated `END`. */
  end: TransferEnd;
  /** File bytes as they came on the wire (before decompression). */
  wireBytes: number;
}

/**
 * Receives `DATA` / `DATA_DEFLATE` messages into `options.write` until `END`,
 * and checks that `END` is well formed and that its size is what arrived
 * (and the announced `options.size`). The SHA-256 is the caller's to check:
 * only it knows what it hashed. An `ERROR` from the peer ends it with the
 * peer's error.
 *
 * @param messages The request's messages (a `MessageQueue`, which ends when the request does).
 * @param options Where the bytes go and how to name failures.
 * @returns The `END` and the wire bytes.
 * @throws {FerryError} `options.code` for a malformed `END`, a size that
 *   differs, or an unexpected message; `integrity` when `END` counts other
 *   bytes than arrived; `cancelled` when the messages end first; the peer's
 *   error for an `ERROR`.
 */
export async function receiveData(
  messages: AsyncIterable<Message>,
  options: ReceiveDataOptions,
): Promise<ReceivedData> {
  let done = options.offset ?? 0;
  let wireBytes = 0;
  for await (const message of messages) {
    if (message.type === MessageType.DATA || message.type === MessageType.DATA_DEFLATE) {
      await options.onWire?.(message.body.byteLength);
      const bytes = receivedBytes(message);
      wireBytes += message.body.byteLength;
      await options.write(bytes);
      done += bytes.byteLength;
      options.onProgress?.(done);
    } else if (message.type === MessageType.END) {
      const end = parseTransferEnd(
        decodeJsonBody(message, options.code),
        options.code,
        options.what,
      );
      if (options.size !== undefined && end.size !== options.size) {
        throw new FerryError(
          options.code,
          `Cannot finish ${options.what}: END says ${end.size} bytes, ${options.size} were announced`,
        );
      }
      if (end.size !== done) {
        throw new FerryError(
          "integrity",
          `Cannot finish ${options.what}: END says ${end.size} bytes, ${done} arrived`,
        );
      }
      return { end, wireBytes };
    } else if (message.type === MessageType.ERROR) {
      throw fromWireError(decodeJsonBody(message));
    } else {
      throw new FerryError(
        options.code,
        `Cannot finish ${options.what}: unexpected message type ${message.type}`,
      );
    }
  }
  throw new FerryError(
    "cancelled",
    `Cannot finish ${options.what}: it ended before its END message`,
  );
}
