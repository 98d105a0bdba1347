/**
 * Writes length-prefixed frames to a byte sink.
 *
 * @module
 */

import { FRAME_HEADER_BYTES, MAX_FRAME_BYTES } from "./limits.ts";
import { writeAll } from "../core/bytes.ts";

/**
 * Frames up to this size that wait behind a write are copied together into
 * one buffer (one `write` system call, one TCP segment). Larger ones go to
 * the sink as they are: a copy would cost more than the call it saves.
 */
export const COALESCE_MAX_FRAME_BYTES = 16 * 1024;

/**
 * A sink of bytes such as a `Deno.Conn`: `write` may take only part of
 * `bytes` and says how much (denoland/deno#18985), so callers loop.
 */
export interface ByteSink {
  /** Writes some of `bytes`; resolves with how many. */
  write(bytes: Uint8Array): Promise<number>;
  /** Ends the sending side, after what was written (optional). */
  closeWrite?(): Promise<void>;
}

/**
 * Whether `sink` is a `WritableStream`, told without naming the global: the
 * first use of `WritableStream` makes Deno load its Web Streams code, about
 * 2.5 ms of every client's start (a connection needs none of it).
 */
function isWritableStream(
  sink: ByteSink | WritableStream<Uint8Array>,
): sink is WritableStream<Uint8Array> {
  return typeof (sink as Partial<WritableStream<Uint8Array>>).getWriter === "function";
}

/** A `WritableStream` as a {@linkcode ByteSink}: every write takes all it is given. */
function streamSink(writable: WritableStream<Uint8Array>): ByteSink {
  const writer = writable.getWriter();
  return {
    async write(bytes: Uint8Array): Promise<number> {
      await writer.write(bytes);
      return bytes.byteLength;
    },
    closeWrite: () => writer.close(),
  };
}

/**
 * Writes frames to a connection (a {@linkcode ByteSink}: plain `write` calls,
 * looping over partial writes, with no Web Streams on the path of every
 * message) or to a `WritableStream`.
 *
 * Writes keep the order of the calls, so a caller that encrypts synchronously
 * and then calls {@linkcode FrameWriter.write} keeps nonces in wire order.
 *
 * While one write is with the sink, the frames queued behind it are sent
 * together when it returns: small frames are copied into one buffer, so a
 * small file's `REPLY`, `DATA` and `END` (or 32 pipelined requests) cost one
 * system call and one segment instead of one each. There is no timer, so
 * nothing waits that could have gone out: a frame on an idle sink is written
 * at once.
 *
 * @example Writing a frame (to a connection in the same way)
 * ```ts
 * import assert from "node:assert/strict";
 * import { FrameWriter } from "./frame_writer.ts";
 * const sent: number[] = [];
 * const writer = new FrameWriter(
 *   new WritableStream<Uint8Array>({
 *     write(chunk): void {
 *       sent.push(...chunk);
 *     },
 *   }),
 * );
 * await writer.write(new TextEncoder().encode("hi"));
 * await writer.close();
 * assert.deepEqual(sent, [0, 0, 0, 2, 104, 105]);
 * ```
 */
export class FrameWriter {
  #sink: ByteSink;
  #queued: Uint8Array[] = [];
  #batch: PromiseWithResolvers<void> | undefined;
  #flushing: Promise<void> | undefined;
  /** Bytes queued or being written. */
  #backlog = 0;
  #backlogWaiters: { bytes: number; resolve: () => void }[] = [];

  /** @param sink The connection (or any {@linkcode ByteSink}), or a `WritableStream`. */
  constructor(sink: ByteSink | WritableStream<Uint8Array>) {
    this.#sink = isWritableStream(sink) ? streamSink(sink) : sink;
  }

  /**
   * Queues one frame; the promise settles when the sink has taken it.
   *
   * @param body The frame body, at most {@linkcode MAX_FRAME_BYTES}.
   * @throws {RangeError} When the body is too long (a programming error).
   */
  write(body: Uint8Array): Promise<void> {
    checkLength(body.byteLength);
    const frame = new Uint8Array(FRAME_HEADER_BYTES + body.byteLength);
    new DataView(frame.buffer).setUint32(0, body.byteLength);
    frame.set(body, FRAME_HEADER_BYTES);
    return this.#enqueue(frame);
  }

  /**
   * Queues a frame whose first {@linkcode FRAME_HEADER_BYTES} bytes are free
   * for the length: the header is written in place, with no copy of the body.
   * The writer owns `frame` from now on.
   *
   * @param frame Header space followed by the body.
   */
  writeInPlace(frame: Uint8Array): Promise<void> {
    const length = frame.byteLength - FRAME_HEADER_BYTES;
    checkLength(length);
    new DataView(frame.buffer, frame.byteOffset, FRAME_HEADER_BYTES).setUint32(0, length);
    return this.#enqueue(frame);
  }

  /** Writes raw bytes with no frame (the preamble). */
  writeRaw(bytes: Uint8Array): Promise<void> {
    return this.#enqueue(bytes);
  }

  /** Bytes of frames queued or being written: what the sink has not taken yet. */
  get backlog(): number {
    return this.#backlog;
  }

  /**
   * Resolves once the {@linkcode FrameWriter.backlog} is at most `bytes`
   * (at once when it is), or when a write fails (the peer is gone: nothing
   * will drain).
   */
  backlogBelow(bytes: number): Promise<void> {
    if (this.#backlog <= bytes) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    this.#backlogWaiters.push({ bytes, resolve });
    return promise;
  }

  /** Resolves once the queued frames were handed to the sink (or failed: the peer is gone). */
  async flushed(): Promise<void> {
    await this.#flushing?.catch(() => {});
  }

  /** Closes the sink after the queued frames; errors are ignored (the peer may be gone). */
  async close(): Promise<void> {
    await this.#flushing?.catch(() => {});
    await this.#sink.closeWrite?.().catch(() => {});
  }

  #enqueue(frame: Uint8Array): Promise<void> {
    this.#queued.push(frame);
    this.#backlog += frame.byteLength;
    const batch = this.#batch ??= Promise.withResolvers<void>();
    this.#flushing ??= this.#flush();
    return batch.promise;
  }

  #wakeBacklogWaiters(all: boolean): void {
    const waiting = this.#backlogWaiters;
    this.#backlogWaiters = [];
    for (const waiter of waiting) {
      if (all || this.#backlog <= waiter.bytes) waiter.resolve();
      else this.#backlogWaiters.push(waiter);
    }
  }

  /** Hands the queue to the sink, batch after batch, until it stays empty. */
  async #flush(): Promise<void> {
    try {
      while (this.#queued.length > 0) {
        const frames = this.#queued;
        const batch = this.#batch as PromiseWithResolvers<void>;
        this.#queued = [];
        this.#batch = undefined;
        let failed = false;
        try {
          for (const chunk of coalesce(frames)) await writeAll(this.#sink, chunk);
          batch.resolve();
        } catch (error) {
          failed = true;
          batch.reject(error);
        }
        for (const frame of frames) this.#backlog -= frame.byteLength;
        this.#wakeBacklogWaiters(failed);
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}

function checkLength(length: number): void {
  if (length < 0 || length > MAX_FRAME_BYTES) {
    throw new RangeError(
      `Cannot write frame of ${length} bytes: the limit is ${MAX_FRAME_BYTES} bytes`,
    );
  }
}

/** Joins runs of small frames into one buffer each; large frames stay as they are. */
function coalesce(frames: Uint8Array[]): Uint8Array[] {
  if (frames.length === 1) return frames;
  const chunks: Uint8Array[] = [];
  let run: Uint8Array[] = [];
  let runBytes = 0;
  const endRun = (): void => {
    if (run.length === 1) chunks.push(run[0] as Uint8Array);
    if (run.length > 1) {
      const joined = new Uint8Array(runBytes);
      let at = 0;
      for (const frame of run) {
        joined.set(frame, at);
        at += frame.byteLength;
      }
      chunks.push(joined);
    }
    run = [];
    runBytes = 0;
  };
  for (const frame of frames) {
    if (frame.byteLength > COALESCE_MAX_FRAME_BYTES) {
      endRun();
      chunks.push(frame);
    } else {
      run.push(frame);
      runBytes += frame.byteLength;
    }
  }
  endRun();
  return chunks;
}
