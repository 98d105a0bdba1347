/**
 * The `Range` header of a download: one range of bytes (`bytes=START-`,
 * `bytes=START-END`, `bytes=-SUFFIX`); anything else is served whole.
 *
 * @module
 */

/** An inclusive byte range. */
export interface ByteRange {
  /** First byte. */
  start: number;
  /** Last byte (inclusive). */
  end: number;
}

/**
 * Parses a `Range` header against a file of `size` bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRange } from "./http_range.ts";
 * assert.deepEqual(parseRange("bytes=10-", 100), { start: 10, end: 99 });
 * assert.deepEqual(parseRange("bytes=-10", 100), { start: 90, end: 99 });
 * assert.equal(parseRange("bytes=100-", 100), "unsatisfiable");
 * assert.equal(parseRange(null, 100), undefined);
 * ```
 *
 * @returns The range, `undefined` to serve the whole file, or `"unsatisfiable"` (416).
 */
export function parseRange(
  header: string | null,
  size: number,
): ByteRange | undefined | "unsatisfiable" {
  if (header === null) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return undefined;
  const [first, last] = [match[1] as string, match[2] as string];
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(start) || start >= size) return "unsatisfiable";
  if (end < start) return undefined;
  return { start, end };
}
