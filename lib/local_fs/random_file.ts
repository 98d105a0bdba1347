/**
 * A file of random bytes, written streaming through one reused buffer: the
 * test data of the tests (through `tests/harness/fixture.ts`) and of the
 * benchmarks (`scripts/bench/fixtures.ts`), which may not import each other
 * and share it from here.
 *
 * @module
 */

import { createHash } from "node:crypto";

/** Bytes per `crypto.getRandomValues` call, its limit. */
const RANDOM_LIMIT = 65536;

/**
 * Writes `size` random bytes to `path` (created or truncated) and returns
 * their SHA-256.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeRandomFile } from "./random_file.ts";
 * import { sha256OfFile } from "./file_sha256.ts";
 * const path = await Deno.makeTempFile();
 * const sha256 = await writeRandomFile(path, 100_000);
 * assert.equal((await Deno.stat(path)).size, 100_000);
 * assert.equal(await sha256OfFile(path), sha256);
 * await Deno.remove(path);
 * ```
 *
 * @param path The file.
 * @param size How many bytes.
 * @returns The lowercase hex SHA-256 of what was written.
 */
export async function writeRandomFile(path: string, size: number): Promise<string> {
  const hash = createHash("sha256");
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const chunk = new Uint8Array(1 << 20);
  for (let left = size; left > 0;) {
    const piece = chunk.subarray(0, Math.min(left, chunk.byteLength));
    for (let i = 0; i < piece.byteLength; i += RANDOM_LIMIT) {
      crypto.getRandomValues(piece.subarray(i, Math.min(i + RANDOM_LIMIT, piece.byteLength)));
    }
    hash.update(piece);
    for (let done = 0; done < piece.byteLength;) done += await file.write(piece.subarray(done));
    left -= piece.byteLength;
  }
  return hash.digest("hex");
}
