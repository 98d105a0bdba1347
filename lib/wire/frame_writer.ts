/**
 * Writes length-prefixed frames to a byte sink.
 *
 * @module
 */

import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from "./limits.ts";

/**
 * Writes frames through a `WritableStream` (such as `conn.writable`), never
 * with a bare `conn.write()`, which may write only part of a buffer
 * (denoland/deno#18985).
 *
 * Writes keep the order of the calls, so a caller that encrypts synchronously
 * and then calls {@linkcode FrameWriter.write} keeps nonces in wire order.
 *
 * @example
 * ```ts ignore
 * const writer = new FrameWriter(conn.writable);
 * await writer.write(new TextEncoder().encode("hello"));
 * ```
 */
export class FrameWriter {
  #writer: WritableStreamDefaultWriter<Uint8Array>;

  /** @param writable The byte sink, such as `conn.writable`. */
  constructor(writable: WritableStream<Uint8Array>) {
    this.#writer = writable.getWriter();
  }

  /**
   * Queues one frame; the promise settles when the sink has taken it.
   *
   * @param body The frame body, at most {@linkcode MAX_FRAME_BYTES}.
   * @throws {RangeError} When the body is too long (a programming error).
   */
  write(body: Uint8Array): Promise<void> {
    if (body.byteLength > MAX_FRAME_BYTES) {
      throw new RangeError(
        `Cannot write frame of ${body.byteLength} bytes: the limit is ${MAX_FRAME_BYTES} bytes`,
      );
    }
    const frame = new Uint8Array(FRAME_HEADER_BYTES + body.byteLength);
    new DataView(frame.buffer).setUint32(0, body.byteLength);
    frame.set(body, FRAME_HEADER_BYTES);
    return this.#writer.write(frame);
  }

  /**
   * Queues a frame whose first {@linkcode FRAME_HEADER_BYTES} bytes are free
   * for the length: the header is written in place, with no copy of the body.
   *
   * @param frame Header space followed by the body.
   */
  writeInPlace(frame: Uint8Array): Promise<void> {
    const length = frame.byteLength - FRAME_HEADER_BYTES;
    if (length < 0 || length > MAX_FRAME_BYTES) {
      throw new RangeError(
        `Cannot write frame of ${length} bytes: the limit is ${MAX_FRAME_BYTES} bytes`,
      );
    }
    new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES).setUint32(0, length);
    return this.#writer.write(frame);
  }

  /** Writes raw bytes with no frame (the preamble). */
  writeRaw(bytes: Uint8Array): Promise<void> {
    return this.#writer.write(bytes);
  }

  /** Closes the sink after the queued frames; errors are ignored (the peer may be gone). */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
  }
}
