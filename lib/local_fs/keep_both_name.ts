/**
 * Names for "keep both": `report.pdf` → `report (1).pdf`, `report (2).pdf`, …
 * used by the server for `put --rename` and by the client for `get --rename`.
 *
 * @module
 */

/**
 * The `n`-th alternative name for `name`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { keepBothName } from "./keep_both_name.ts";
 * assert.equal(keepBothName("report.pdf", 1), "report (1).pdf");
 * assert.equal(keepBothName(".bashrc", 2), ".bashrc (2)");
 * assert.equal(keepBothName("notes", 3), "notes (3)");
 * ```
 */
export function keepBothName(name: string, n: number): string {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return `${name} (${n})`;
  return `${name.slice(0, dot)} (${n})${name.slice(dot)}`;
}

/** The most alternatives tried before giving up with `exists`. */
export const MAX_KEEP_BOTH = 10_000;
