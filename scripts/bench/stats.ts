/**
 * Small statistics over rounds of a measurement: the median, and the median
 * with its spread as text.
 *
 * @module
 */

/**
 * The middle value (the lower middle for an even count); `NaN` for none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { medianOf } from "./stats.ts";
 * assert.equal(medianOf([3, 1, 2]), 2);
 * assert.equal(medianOf([4, 1, 3, 2]), 2);
 * ```
 */
export function medianOf(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

/**
 * `median (lowest–highest)` with `digits` decimals, over the finite values;
 * `–` when there are none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spread } from "./stats.ts";
 * assert.equal(spread([3, 1, 2], 1), "2.0 (1.0–3.0)");
 * assert.equal(spread([NaN], 0), "–");
 * ```
 */
export function spread(values: number[], digits: number): string {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return "–";
  const low = Math.min(...finite).toFixed(digits);
  const high = Math.max(...finite).toFixed(digits);
  return `${medianOf(finite).toFixed(digits)} (${low}–${high})`;
}
