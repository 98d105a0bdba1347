/**
 * Running async tasks one after the other, in the order they were given.
 *
 * @module
 */

/**
 * Runs each task after the one before it has settled, whether it succeeded
 * or failed; each caller gets its own task's result. Used where calls may
 * overlap but their effects must not: an upload's writes and commit, reads
 * of one file position.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SerialQueue } from "./serial_queue.ts";
 * const queue = new SerialQueue();
 * const order: number[] = [];
 * const slow = queue.run(async () => {
 *   await new Promise((resolve) => setTimeout(resolve, 10));
 *   order.push(1);
 * });
 * const fast = queue.run(() => Promise.resolve(order.push(2)));
 * await Promise.all([slow, fast]);
 * assert.deepEqual(order, [1, 2]);
 * ```
 */
export class SerialQueue {
  #last: Promise<unknown> = Promise.resolve();

  /**
   * Runs `task` once every task given before has settled.
   *
   * @param task The work.
   * @returns Its result, or its error.
   */
  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#last.then(task);
    this.#last = run.catch(() => {});
    return run;
  }
}
