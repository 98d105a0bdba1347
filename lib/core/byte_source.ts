/**
 * Reading bytes into the caller's buffers, from a connection, a file or a
 * Web stream alike.
 *
 * @module
 */

import { SerialQueue } from "./serial_queue.ts";

/**
 * A source of bytes read into the caller's buffer, such as a `Deno.Conn` or
 * a `Deno.FsFile`: `read` fills part of `view` and says how much, or `null`
 * at the end.
 */
export interface ByteSource {
  /** Reads into `view`; resolves with the count, or `null` at the end. */
  read(view: Uint8Array): Promise<number | null>;
  /** Stops reading and releases what the source holds (optional). */
  cancel?(): Promise<void>;
}

/**
 * Bytes to read: a {@linkcode ByteSource} (an open file, a connection) or a
 * Web stream. {@linkcode ViewReader} reads either.
 */
export type ByteInput = ByteSource | ReadableStream<Uint8Array>;

/**
 * Whether `input` is a Web stream, told without naming the global: the first
 * use of `ReadableStream` makes Deno load its Web Streams code, about 2.5 ms
 * of a client's start, and a connection read as a `ByteSource` needs none of it.
 */
function isReadableStream(input: ByteInput): input is ReadableStream<Uint8Array> {
  return typeof (input as Partial<ReadableStream<Uint8Array>>).getReader === "function";
}

/**
 * Bytes already in memory as a {@linkcode ByteSource}: each read copies the
 * next part into the caller's buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoryByteSource } from "./byte_source.ts";
 * const source = memoryByteSource(new Uint8Array([1, 2, 3]));
 * const view = new Uint8Array(2);
 * assert.equal(await source.read(view), 2);
 * assert.equal(await source.read(view), 1);
 * assert.equal(await source.read(view), null);
 * ```
 *
 * @param bytes The bytes (not copied; keep them unchanged until read).
 * @returns The source.
 */
export function memoryByteSource(bytes: Uint8Array): ByteSource {
  let position = 0;
  return {
    read(view: Uint8Array): Promise<number | null> {
      if (position >= bytes.byteLength) return Promise.resolve(null);
      const n = Math.min(view.byteLength, bytes.byteLength - position);
      view.set(bytes.subarray(position, position + n));
      position += n;
      return Promise.resolve(n);
    },
    cancel(): Promise<void> {
      position = bytes.byteLength;
      return Promise.resolve();
    },
  };
}

/**
 * Fills the caller's buffers from a {@linkcode ByteSource} with plain `read`
 * calls, from a byte stream (`type: "bytes"`) with a BYOB reader (no copy),
 * or from any other stream by copying its chunks. No Web Streams sit on the
 * path when the input is a `ByteSource`: a file read then costs one call
 * instead of a round of stream bookkeeping.
 *
 * Reads may be issued before the previous one settled (read the next chunk
 * while this one is processed); they are served in order.
 *
 * @example Reading a stream into one reused buffer
 * ```ts
 * import assert from "node:assert/strict";
 * import { ViewReader } from "./byte_source.ts";
 * const reader = new ViewReader(ReadableStream.from([new Uint8Array([1, 2, 3])]));
 * let buffer = new ArrayBuffer(2);
 * const first = await reader.read(new Uint8Array(buffer));
 * assert.deepEqual(first, new Uint8Array([1, 2]));
 * buffer = (first as Uint8Array).buffer as ArrayBuffer; // the same bytes (a BYOB read moves them)
 * assert.deepEqual(await reader.read(new Uint8Array(buffer)), new Uint8Array([3]));
 * assert.equal(await reader.read(new Uint8Array(buffer)), null);
 * ```
 */
export class ViewReader {
  #source: ByteSource | undefined;
  #byob: ReadableStreamBYOBReader | undefined;
  #plain: ReadableStreamDefaultReader<Uint8Array> | undefined;
  #leftover: Uint8Array = new Uint8Array(0);
  #inOrder = new SerialQueue();

  /** @param input The source, or a stream (a byte stream is read with a BYOB reader). */
  constructor(input: ByteInput) {
    if (!isReadableStream(input)) {
      this.#source = input;
      return;
    }
    try {
      this.#byob = input.getReader({ mode: "byob" });
    } catch {
      this.#plain = input.getReader();
    }
  }

  /**
   * Reads into `view`.
   *
   * @returns The filled part, possibly empty; or `null` at the end. After a
   *   BYOB read it lies in a new `ArrayBuffer` that holds the same memory
   *   (`view`'s was transferred): reuse `result.buffer`, not `view.buffer`.
   */
  read(view: Uint8Array): Promise<Uint8Array | null> {
    // A BYOB reader queues overlapping reads itself; a file's position and the
    // leftover of a copied chunk need the reads one after the other.
    if (this.#byob) return this.#readByob(this.#byob, view);
    return this.#inOrder.run(() => this.#readInOrder(view));
  }

  /** Stops reading and releases the input. */
  async cancel(): Promise<void> {
    if (this.#source) await this.#source.cancel?.();
    else await (this.#byob ?? this.#plain)?.cancel();
  }

  /** Lets go of a stream that was read to its end (a no-op for a `ByteSource`). */
  releaseLock(): void {
    (this.#byob ?? this.#plain)?.releaseLock();
  }

  async #readByob(reader: ReadableStreamBYOBReader, view: Uint8Array): Promise<Uint8Array | null> {
    const { value, done } = await reader.read(view);
    if (done) return value && value.byteLength > 0 ? value : null;
    return value;
  }

  async #readInOrder(view: Uint8Array): Promise<Uint8Array | null> {
    if (this.#source) {
      const n = await this.#source.read(view);
      return n === null ? null : view.subarray(0, n);
    }
    if (this.#leftover.byteLength === 0) {
      const { value, done } = await (this.#plain as ReadableStreamDefaultReader<Uint8Array>).read();
      if (done) return null;
      this.#leftover = value;
    }
    const n = Math.min(view.byteLength, this.#leftover.byteLength);
    view.set(this.#leftover.subarray(0, n));
    this.#leftover = this.#leftover.subarray(n);
    return view.subarray(0, n);
  }
}

/**
 * Releases a source or stream that will not be read after all (it may own an
 * open file).
 *
 * @param input The source or stream.
 */
export async function cancelUnread(input: ByteInput): Promise<void> {
  if (isReadableStream(input)) await input.cancel();
  else await input.cancel?.();
}
