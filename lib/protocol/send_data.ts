/**
 * Sends a transfer's bytes: a byte stream as `DATA` messages followed by
 * `END`, hashing as it goes when asked. The server uses it for downloads and
 * the client for uploads; {@linkcode receiveData} is the other end.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { MAX_PLAINTEXT_BYTES } from "../channel/secure_channel.ts";
import type { ChunkCompressor } from "./chunk_compression.ts";
import { encodeJsonMessage, encodeMessage, writeMessageHeader } from "./codec.ts";
import { MESSAGE_HEADER_BYTES, MessageType } from "./message_type.ts";
import { type ByteInput, ViewReader } from "../core/byte_source.ts";
import type { TransferEnd } from "./receive_data.ts";

/** The most file bytes one `DATA` message carries. */
export const MAX_DATA_BYTES = MAX_PLAINTEXT_BYTES - MESSAGE_HEADER_BYTES;

/**
 * Marks a promise as observed at once: a send may fail (the peer is gone)
 * while the loop awaits the next read, or a read while the loop awaits a
 * send, before the loop awaits it; an unobserved rejection would end the
 * process.
 */
function observed<T>(pending: Promise<T>): Promise<T> {
  pending.catch(() => {});
  return pending;
}

/** Options of {@linkcode sendData}. */
export interface SendDataOptions {
  /** Bytes at the start that the peer already has: read (and hashed) but not sent. */
  offset?: number;
  /**
   * How many bytes `source` will give, when known: the two read buffers are
   * then no larger than that (a 4 KiB file does not cost two 256 KiB
   * buffers). A source that gives more is still read to its end, in chunks
   * of that size.
   */
  expectedBytes?: number;
  /**
   * The whole file's SHA-256, known beforehand (recorded by the back end).
   * The stream then starts at `offset` (the bytes before it are not read),
   * nothing is hashed, and `END` carries this value with `recorded: true`;
   * the peer checks it.
   */
  sha256?: string;
  /**
   * Whether to hash the whole file for `END` (without `sha256`). Without it
   * `END` carries the size only: the receiver hashes what it receives.
   * @default {true}
   */
  hash?: boolean;
  /**
   * Called after the last byte was read and sent, before `END`; a throw
   * stops the transfer without `END` (the source changed while read).
   */
  beforeEnd?: () => void | Promise<void>;
  /** Changes the SHA-256 put in `END` (a test hook: see `FERRY_TEST_CORRUPT_VERIFY`). */
  alterSha256?: (sha256: string) => string;
  /** Called after each message with the bytes sent so far (offset included). */
  onProgress?: (done: number) => void;
  /** Stops early when aborted. */
  signal?: AbortSignal;
  /** Compresses chunks that shrink (`--compress`). */
  compressor?: ChunkCompressor;
}

/** What {@linkcode sendData} sent. */
export interface SentData {
  /** Bytes of the whole file, from offset 0. */
  size: number;
  /** The SHA-256 of the whole file as hashed here, or as given; absent when not hashed. */
  sha256?: string;
  /** File bytes as they went on the wire (after compression). */
  wireBytes: number;
}

/**
 * Reads `source` from its start, hashes every byte (unless `options.hash`
 * is false), sends the bytes from `offset` on as `DATA` messages and ends
 * with `END`. The next chunk is read while this one is hashed, encrypted
 * and sent; two buffers are reused throughout. With `options.sha256`,
 * `source` starts at `offset` instead and is not hashed.
 *
 * @param send Encrypts and queues one message (see `SecureChannel.send`); it must
 *   have consumed the bytes by the time it returns, as the buffer is reused.
 * @param id The request id.
 * @param source The whole file (from `offset` with `options.sha256`): an
 *   open file as a `ByteSource` (no Web Streams on the way) or a stream; a
 *   byte stream (BYOB) avoids one copy per chunk.
 * @param options Offset, progress, cancellation.
 * @returns What was sent in `END`.
 */
export async function sendData(
  send: (message: Uint8Array) => Promise<void>,
  id: number,
  source: ByteInput,
  options: SendDataOptions = {},
): Promise<SentData> {
  const offset = options.offset ?? 0;
  let wireBytes = 0;
  const known = options.sha256;
  const hash = known === undefined && options.hash !== false ? createHash("sha256") : undefined;
  const reader = new ViewReader(source);
  const chunkBytes = Math.min(MAX_DATA_BYTES, Math.max(1, options.expectedBytes ?? MAX_DATA_BYTES));
  const chunkView = (buffer: ArrayBuffer): Uint8Array =>
    new Uint8Array(buffer, MESSAGE_HEADER_BYTES, chunkBytes);
  // Two buffers: the next chunk is read while this one is hashed, encrypted
  // and sent.
  let spare = new ArrayBuffer(MESSAGE_HEADER_BYTES + chunkBytes);
  let reading = observed(reader.read(chunkView(new ArrayBuffer(spare.byteLength))));
  let position = known === undefined ? 0 : offset;
  let sending: Promise<void> = Promise.resolve();
  try {
    for (;;) {
      options.signal?.throwIfAborted();
      const value = await reading;
      if (value === null) break;
      reading = observed(reader.read(chunkView(spare)));
      const buffer = value.buffer as ArrayBuffer;
      hash?.update(value);
      const start = position;
      position += value.byteLength;
      if (value.byteLength > 0 && position > offset) {
        const fresh = start >= offset ? value : value.subarray(offset - start);
        const packed = options.compressor ? await options.compressor.compress(fresh) : null;
        await sending;
        if (packed) {
          sending = observed(send(encodeMessage(MessageType.DATA_DEFLATE, id, packed)));
        } else if (start >= offset) {
          const message = new Uint8Array(buffer, 0, MESSAGE_HEADER_BYTES + value.byteLength);
          writeMessageHeader(message, MessageType.DATA, id);
          sending = observed(send(message));
        } else {
          sending = observed(send(encodeMessage(MessageType.DATA, id, fresh)));
        }
        wireBytes += packed?.byteLength ?? fresh.byteLength;
        options.onProgress?.(position);
      }
      // send() has consumed the bytes (encrypted into its own frame).
      spare = buffer;
    }
    await sending;
  } catch (error) {
    await sending.catch(() => {});
    await reader.cancel().catch(() => {});
    throw error;
  }
  reader.releaseLock();
  await options.beforeEnd?.();
  const sha256 = known ?? hash?.digest("hex");
  const end: TransferEnd = { size: position };
  if (sha256 !== undefined) end.sha256 = options.alterSha256?.(sha256) ?? sha256;
  if (known !== undefined) end.recorded = true;
  await send(encodeJsonMessage(MessageType.END, id, end));
  return { size: position, wireBytes, ...(sha256 === undefined ? {} : { sha256 }) };
}
