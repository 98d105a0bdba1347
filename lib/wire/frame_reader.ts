/**
 * Reads length-prefixed frames from a byte stream.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { type ByteInput, ViewReader } from "../core/byte_source.ts";
import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from "./limits.ts";

/** The size a reader's buffer starts at. */
export const INITIAL_BUFFER_BYTES = 16 * 1024;

/** Room past the largest frame once the buffer grew: the next frame's start can be read with it. */
export const READ_AHEAD_BYTES = 64 * 1024;

/** Options of {@linkcode FrameReader}. */
export interface FrameReaderOptions {
  /**
   * The largest frame body accepted; a longer announced length is refused
   * before anything is allocated or read.
   *
   * @default {MAX_FRAME_BYTES}
   */
  maxFrameBytes?: number;
}

/**
 * Cuts a byte stream into frames: a 4-byte big-endian length, then that many
 * bytes. It reads into one buffer that it keeps for the life of the
 * connection, so the hot path allocates nothing. The buffer starts small
 * ({@linkcode INITIAL_BUFFER_BYTES}: the handshake and requests fit) and
 * grows once, to two full frames, at the first frame that does not fit: an
 * idle or request-only session holds 16 KiB, not 128 KiB. Given a `Deno.Conn` (a
 * `ByteSource`) it reads with plain `read` calls: no Web Streams on
 * the path of every message.
 *
 * End of stream at a frame boundary is a clean close (`null`); inside a frame
 * it is an error.
 *
 * @example Reading frames (from a connection in the same way)
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameReader } from "./frame_reader.ts";
 * const bytes = new Uint8Array([0, 0, 0, 2, 104, 105, 0, 0, 0, 0]);
 * const stream = new ReadableStream({
 *   type: "bytes",
 *   start(controller): void {
 *     controller.enqueue(bytes);
 *     controller.close();
 *   },
 * });
 * const reader = new FrameReader(stream);
 * const bodies: string[] = [];
 * for (let body = await reader.read(); body; body = await reader.read()) {
 *   bodies.push(new TextDecoder().decode(body)); // valid until the next read()
 * }
 * assert.deepEqual(bodies, ["hi", ""]);
 * ```
 */
export class FrameReader {
  #source: ViewReader;
  #buffer: ArrayBuffer;
  #start = 0;
  #end = 0;
  #maxFrameBytes: number;

  /**
   * @param source The connection (or any `ByteSource`), or a byte
   *   stream (`type: "bytes"`, read with a BYOB reader).
   * @param options Limits.
   */
  constructor(
    source: ByteInput,
    options: FrameReaderOptions = {},
  ) {
    this.#maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
    this.#source = new ViewReader(source);
    this.#buffer = new ArrayBuffer(
      Math.min(INITIAL_BUFFER_BYTES, 2 * (FRAME_HEADER_BYTES + this.#maxFrameBytes)),
    );
  }

  /** The largest frame body accepted now. */
  get maxFrameBytes(): number {
    return this.#maxFrameBytes;
  }

  /**
   * Changes the largest frame body accepted from the next frame on (the
   * handshake's limit, then the records'). The buffer grows only when a
   * frame needs it.
   */
  set maxFrameBytes(bytes: number) {
    this.#maxFrameBytes = bytes;
  }

  /**
   * Reads the next frame body.
   *
   * @returns The body, a view that stays valid only until the next call; or
   *   `null` when the peer closed cleanly between frames.
   * @throws {FerryError} `protocol` for an oversized length or a close inside
   *   a frame.
   */
  async read(): Promise<Uint8Array | null> {
    if (!await this.#fill(FRAME_HEADER_BYTES, true)) return null;
    const length = new DataView(this.#buffer, this.#start, FRAME_HEADER_BYTES).getUint32(0);
    if (length > this.#maxFrameBytes) {
      throw new FerryError(
        "protocol",
        `Cannot read frame of ${length} bytes: the limit is ${this.#maxFrameBytes} bytes`,
      );
    }
    await this.#fill(FRAME_HEADER_BYTES + length, false);
    const body = new Uint8Array(this.#buffer, this.#start + FRAME_HEADER_BYTES, length);
    this.#start += FRAME_HEADER_BYTES + length;
    return body;
  }

  /**
   * Reads exactly `length` raw bytes (the preamble, which has no frame).
   *
   * @returns A copy of the bytes, or `null` on a clean close before the first byte.
   */
  async readExact(length: number): Promise<Uint8Array | null> {
    if (!await this.#fill(length, true)) return null;
    const bytes = new Uint8Array(this.#buffer, this.#start, length).slice();
    this.#start += length;
    return bytes;
  }

  /** Stops reading and releases the stream. */
  async cancel(): Promise<void> {
    await this.#source.cancel().catch(() => {});
  }

  /** Makes `need` bytes available from `#start`; false on EOF before any byte. */
  async #fill(need: number, eofAllowed: boolean): Promise<boolean> {
    if (need > this.#buffer.byteLength) {
      // One largest frame and some read-ahead, not two frames: 16 uploads at
      // once peaked at 118 MiB in ferryd instead of 129 (with the request
      // queues of 2, docs/PERFORMANCE.md); the copy to the front it costs
      // now and then is small.
      const grown = new ArrayBuffer(
        Math.max(need, FRAME_HEADER_BYTES + this.#maxFrameBytes + READ_AHEAD_BYTES),
      );
      new Uint8Array(grown).set(new Uint8Array(this.#buffer, this.#start, this.#end - this.#start));
      this.#buffer = grown;
      this.#end -= this.#start;
      this.#start = 0;
    } else if (this.#start + need > this.#buffer.byteLength) {
      new Uint8Array(this.#buffer).copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    while (this.#end - this.#start < need) {
      const view = new Uint8Array(this.#buffer, this.#end, this.#buffer.byteLength - this.#end);
      const filled = await this.#source.read(view);
      if (filled === null) {
        if (eofAllowed && this.#end === this.#start) return false;
        throw new FerryError("protocol", "Connection closed in the middle of a frame");
      }
      // A BYOB read hands back the buffer it took (transferred); keep using that one.
      this.#buffer = filled.buffer as ArrayBuffer;
      this.#end += filled.byteLength;
    }
    return true;
  }
}
