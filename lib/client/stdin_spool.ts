/**
 * `put - NAME`: standard input, copied chunk by chunk into a file of the
 * state folder first, because an upload names its size before its bytes
 * (and so that an interrupted upload can resume, and the SHA-256 is known).
 * Memory stays bounded whatever the size.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { localError } from "./local_files.ts";
import { writeAll } from "../core/bytes.ts";

/** Standard input, saved. */
export interface SpooledInput extends AsyncDisposable {
  /** The file that holds it. */
  path: string;
  /** Its size. */
  size: number;
  /** Its SHA-256 (hex). */
  sha256: string;
}

/**
 * Copies standard input into `dir/stdin-*.part` (removed on dispose).
 *
 * @throws {FerryError} `local_io` when the folder cannot be written.
 */
export async function spoolStdin(dir: string): Promise<SpooledInput> {
  const path = `${dir}/stdin-${crypto.randomUUID()}.part`;
  const hash = createHash("sha256");
  let size = 0;
  try {
    await Deno.mkdir(dir, { recursive: true });
    using file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    for await (const chunk of Deno.stdin.readable) {
      hash.update(chunk);
      size += chunk.byteLength;
      await writeAll(file, chunk);
    }
  } catch (error) {
    await Deno.remove(path).catch(() => {});
    throw localError(error, path);
  }
  return {
    path,
    size,
    sha256: hash.digest("hex"),
    async [Symbol.asyncDispose](): Promise<void> {
      await Deno.remove(path).catch(() => {});
    },
  };
}
