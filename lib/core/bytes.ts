/**
 * Byte helpers: joining byte arrays, and writing all of a buffer to a sink
 * whose `write` may take only part of it (files, stdout, sockets).
 *
 * @module
 */

/** Anything with a `write` that may take only part of what it is given (`Deno.FsFile`, a `Conn`). */
export interface PartialWriter {
  /** Writes some of `bytes`; resolves with how many. */
  write(bytes: Uint8Array): Promise<number>;
}

/** The synchronous kind of {@linkcode PartialWriter} (`Deno.stderr`, a `Deno.FsFile`). */
export interface PartialWriterSync {
  /** Writes some of `bytes`; returns how many. */
  writeSync(bytes: Uint8Array): number;
}

/**
 * Joins byte arrays into one new array. One part is still copied, so the
 * result never shares memory with a part.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concat } from "./bytes.ts";
 * const joined = concat([new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]);
 * assert.deepEqual(joined, new Uint8Array([1, 2, 3]));
 * assert.deepEqual(concat([]), new Uint8Array(0));
 * ```
 *
 * @param parts The arrays, in order.
 * @returns Their bytes, one after the other.
 */
export function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * Writes all of `bytes`, however many calls it takes (a `write` may take
 * only part). The first call gets `bytes` itself, so the usual case of a
 * write taking everything makes no new view.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAll } from "./bytes.ts";
 * const got: number[][] = [];
 * const twoAtATime = {
 *   write(bytes: Uint8Array): Promise<number> {
 *     got.push([...bytes.subarray(0, 2)]);
 *     return Promise.resolve(Math.min(2, bytes.byteLength));
 *   },
 * };
 * await writeAll(twoAtATime, new Uint8Array([1, 2, 3, 4, 5]));
 * assert.deepEqual(got, [[1, 2], [3, 4], [5]]);
 * ```
 *
 * @param writer Where the bytes go.
 * @param bytes What to write.
 */
export async function writeAll(writer: PartialWriter, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) {
    done += await writer.write(done === 0 ? bytes : bytes.subarray(done));
  }
}

/**
 * Writes all of `bytes` with synchronous calls, however many it takes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeAllSync } from "./bytes.ts";
 * let calls = 0;
 * const oneAtATime = {
 *   writeSync(bytes: Uint8Array): number {
 *     calls++;
 *     return Math.min(1, bytes.byteLength);
 *   },
 * };
 * writeAllSync(oneAtATime, new Uint8Array(3));
 * assert.equal(calls, 3);
 * ```
 *
 * @param writer Where the bytes go.
 * @param bytes What to write.
 */
export function writeAllSync(writer: PartialWriterSync, bytes: Uint8Array): void {
  for (let done = 0; done < bytes.byteLength;) {
    done += writer.writeSync(done === 0 ? bytes : bytes.subarray(done));
  }
}
