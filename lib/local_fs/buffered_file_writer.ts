/**
 * Appending to a file through one buffer, for the receiving side of a big
 * transfer.
 *
 * @module
 */

import type { DirectIo } from "./direct_io.ts";
import { writeAll, writeAllSync } from "../core/bytes.ts";

/**
 * Bytes of one file write, gathered from smaller chunks or cut from larger
 * ones (records carry up to 256 KiB). Writing 128 KiB at a time took ferryd's CPU for a 512 MiB
 * upload from 0.84 to about 0.78 s and its rate up 15–20 % (docs/PERFORMANCE.md):
 * each write is an async op, a hop to Deno's thread pool and back. Larger
 * buffers bought no more speed and cost memory: 16 uploads at once peaked at
 * 127–132 MiB with 128 KiB, 139–146 with 256 KiB, 161–165 with 512 KiB; and
 * 1 MiB write calls cost 2.4 s of kernel time per GiB here against
 * 0.34–0.42 s with 128 KiB ones (issue 16), so no write is larger.
 */
export const FILE_WRITE_BYTES = 128 * 1024;

/**
 * Appends chunks to an open file, {@linkcode FILE_WRITE_BYTES} at a time.
 * The first chunk is written as it comes and the buffer is taken only for
 * the second, so a small file (one chunk) costs one write and no buffer. The
 * bytes given to {@linkcode BufferedFileWriter.write} are copied: the caller
 * may reuse its buffer at once. Calls must not overlap (await each).
 *
 * @example
 * ```ts
 * import { BufferedFileWriter } from "./buffered_file_writer.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * using file = await Deno.open(path, { write: true });
 * const writer = new BufferedFileWriter(file);
 * await writer.write(new TextEncoder().encode("hello, ")); // written at once
 * await writer.write(new TextEncoder().encode("world")); // gathered
 * assert.equal(writer.buffered, 5);
 * await writer.flush();
 * assert.equal(await Deno.readTextFile(path), "hello, world");
 * await Deno.remove(path);
 * ```
 */
export class BufferedFileWriter {
  #file: Deno.FsFile;
  #direct: DirectIo | undefined;
  #buffer: Uint8Array | undefined;
  #length = 0;
  #started = false;

  /**
   * @param file Open for writing, positioned where the bytes go.
   * @param options `direct`: write with direct calls (`writeSync`) instead of
   *   async ops while this {@linkcode DirectIo} allows it. A write to the page
   *   cache costs less in the calling thread than the hop to Deno's thread
   *   pool, but blocks the event loop while it lasts. @default {async writes only}
   */
  constructor(file: Deno.FsFile, options: { direct?: DirectIo } = {}) {
    this.#file = file;
    this.#direct = options.direct;
  }

  /** Bytes taken but not yet written to the file. */
  get buffered(): number {
    return this.#length;
  }

  /** Takes `chunk`; writes the buffer out first when `chunk` does not fit. */
  async write(chunk: Uint8Array): Promise<void> {
    if (this.#length + chunk.byteLength > FILE_WRITE_BYTES) await this.flush();
    if (!this.#started || chunk.byteLength >= FILE_WRITE_BYTES) {
      this.#started = true;
      for (let at = 0; at < chunk.byteLength; at += FILE_WRITE_BYTES) {
        await this.#writeOut(chunk.subarray(at, at + FILE_WRITE_BYTES));
      }
      return;
    }
    this.#buffer ??= new Uint8Array(FILE_WRITE_BYTES);
    this.#buffer.set(chunk, this.#length);
    this.#length += chunk.byteLength;
  }

  /** Writes out what is buffered. */
  async flush(): Promise<void> {
    if (this.#length === 0 || this.#buffer === undefined) return;
    const pending = this.#buffer.subarray(0, this.#length);
    this.#length = 0;
    await this.#writeOut(pending);
  }

  #writeOut(bytes: Uint8Array): Promise<void> {
    const direct = this.#direct;
    if (direct?.allowed) return direct.run(() => writeAllNow(this.#file, bytes));
    return writeAll(this.#file, bytes);
  }
}

/** Writes all of `bytes` with direct (synchronous) calls. */
export function writeAllNow(file: Deno.FsFile, bytes: Uint8Array): void {
  writeAllSync(file, bytes);
}
