/**
 * A byte stream over an open file, for downloads.
 *
 * @module
 */

import { fsError } from "./fs_error.ts";
import { quotePath } from "./remote_path.ts";
import type { RemotePath } from "./remote_path.ts";

/** The chunk size when the reader does not bring its own buffer. */
export const READ_CHUNK_SIZE = 65_536;

/**
 * Wraps an open file in a `type: "bytes"` stream that reads from its current
 * position to the end. A BYOB reader's buffer is filled directly; a default
 * reader gets chunks of {@linkcode READ_CHUNK_SIZE} bytes. The stream owns
 * the file and closes it exactly once: at the end, on cancel, or on error.
 *
 * @example Reading with a reused buffer
 * ```ts
 * import { fileByteStream } from "./file_stream.ts";
 * import assert from "node:assert/strict";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * const reader = fileByteStream(await Deno.open(path), "hello.txt").getReader({ mode: "byob" });
 * const { value } = await reader.read(new Uint8Array(16));
 * assert.equal(new TextDecoder().decode(value), "hello");
 * assert.equal((await reader.read(new Uint8Array(16))).done, true);
 * await Deno.remove(path);
 * ```
 *
 * @param file The open file, positioned where reading starts.
 * @param path Its remote path, for error messages.
 * @returns The stream.
 */
export function fileByteStream(file: Deno.FsFile, path: RemotePath): ReadableStream<Uint8Array> {
  let open = true;
  function close(): void {
    if (!open) return;
    open = false;
    file.close();
  }
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: READ_CHUNK_SIZE,
    async pull(controller): Promise<void> {
      const request = controller.byobRequest;
      const view = request?.view ?? null;
      const target = view === null
        ? new Uint8Array(READ_CHUNK_SIZE)
        : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      let n: number | null;
      try {
        n = await file.read(target);
      } catch (error) {
        close();
        controller.error(fsError(error, `Cannot read ${quotePath(path)}`));
        return;
      }
      if (n === null) {
        close();
        controller.close();
        request?.respond(0);
      } else if (request !== null && view !== null) {
        request.respond(n);
      } else {
        controller.enqueue(target.subarray(0, n));
      }
    },
    cancel(): void {
      close();
    },
  });
}
