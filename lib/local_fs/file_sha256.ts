/**
 * Hashing a local file: all of it (the client, to skip a transfer whose
 * destination already holds the same bytes), or a range of an open one into
 * a running hash (storage, catching up on a partial upload after a restart).
 * Both read through one buffer reused for every read: memory never grows
 * with the file.
 *
 * @module
 */

import type { Hash } from "node:crypto";
import { sha256OfInput, type Sha256Options } from "../core/sha256_input.ts";

/**
 * The SHA-256 of a local file, read from start to end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sha256OfFile } from "./file_sha256.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello");
 * assert.equal(
 *   await sha256OfFile(path),
 *   "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
 * );
 * await Deno.remove(path);
 * ```
 *
 * @param path The file.
 * @param options An abort signal and the buffer size.
 * @returns The lowercase hex digest.
 * @throws {Deno.errors.NotFound} (or another Deno error) when it cannot be
 * opened or read; the caller names the file.
 */
export async function sha256OfFile(path: string, options: Sha256Options = {}): Promise<string> {
  using file = await Deno.open(path, { read: true });
  return await sha256OfInput(file, options);
}

/**
 * Feeds bytes `start` to `end` of an open file into `hash`, reading into
 * `buffer` (reused for every read). The file's position is moved.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createHash } from "node:crypto";
 * import { hashFileRange } from "./file_sha256.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "hello, world");
 * using file = await Deno.open(path);
 * const hash = createHash("sha256");
 * await hashFileRange(file, hash, 0, 5, new Uint8Array(2));
 * assert.equal(hash.digest("hex"), createHash("sha256").update("hello").digest("hex"));
 * await Deno.remove(path);
 * ```
 *
 * @param file The open file.
 * @param hash The running hash.
 * @param start The first byte.
 * @param end The byte after the last one.
 * @param buffer What to read into.
 * @throws {Error} When the file ends before `end`.
 */
export async function hashFileRange(
  file: Deno.FsFile,
  hash: Hash,
  start: number,
  end: number,
  buffer: Uint8Array,
): Promise<void> {
  await file.seek(start, Deno.SeekMode.Start);
  for (let at = start; at < end;) {
    const n = await file.read(buffer.subarray(0, Math.min(buffer.byteLength, end - at)));
    if (n === null) throw new Error(`The file ended at ${at} bytes, before ${end}`);
    hash.update(buffer.subarray(0, n));
    at += n;
  }
}
