/**
 * An open file as a {@linkcode ByteSource}, for sending it.
 *
 * @module
 */

import type { ByteSource } from "../core/byte_source.ts";
import type { DirectIo } from "./direct_io.ts";

/** Options of {@linkcode fileByteSource}. */
export interface FileByteSourceOptions {
  /**
   * Read with direct calls (`readSync`) instead of async ops while this
   * {@linkcode DirectIo} allows it. A page-cache read of 64 KiB in the calling
   * thread costs less than the hop to Deno's thread pool and back
   * (docs/PERFORMANCE.md), but blocks the event loop while it lasts.
   * @default {async reads only}
   */
  direct?: DirectIo;
  /** Turns a read failure into the error to throw. @default {the failure itself} */
  explain?: (error: unknown) => unknown;
}

/**
 * Reads an open file from its current position to the end as a
 * {@linkcode ByteSource}: one read call per chunk into the caller's buffer,
 * no Web Streams. The source owns the file and closes it exactly once: at
 * the end, on cancel, or on a failed read.
 *
 * @example Reading a file into one reused buffer
 * ```ts
 * import { fileByteSource } from "./file_byte_source.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * const source = fileByteSource(await Deno.open(path));
 * const buffer = new Uint8Array(16);
 * assert.equal(await source.read(buffer), 5);
 * assert.equal(await source.read(buffer), null); // and the file is closed
 * await Deno.remove(path);
 * ```
 *
 * @param file The open file, positioned where reading starts.
 * @param options How to read, and how to explain a failure.
 * @returns The source.
 */
export function fileByteSource(file: Deno.FsFile, options: FileByteSourceOptions = {}): ByteSource {
  let open = true;
  const close = (): void => {
    if (!open) return;
    open = false;
    file.close();
  };
  const explain = options.explain ?? ((error: unknown): unknown => error);
  const ended = (n: number | null): number | null => {
    if (n === null) close();
    return n;
  };
  const failed = (error: unknown): Promise<never> => {
    close();
    return Promise.reject(explain(error));
  };
  const direct = options.direct;
  return {
    read(view: Uint8Array): Promise<number | null> {
      if (!open) return Promise.resolve(null);
      const reading = direct?.allowed ? direct.run(() => file.readSync(view)) : file.read(view);
      return reading.then(ended, failed);
    },
    cancel(): Promise<void> {
      close();
      return Promise.resolve();
    },
  };
}
