/**
 * Whether file data is read and written with direct calls or with async ops,
 * decided by how fast the disk answers.
 *
 * @module
 */

import { setImmediate } from "node:timers";

/**
 * A direct call that takes this long means the kernel made it wait (a cold
 * read from a slow disk, or dirty-page throttling on writes): a page-cache
 * read or write of 128 KiB takes well under a millisecond.
 */
export const SLOW_DIRECT_CALL_MS = 10;

/** How long file data then goes through async ops before direct calls are tried again. */
export const ASYNC_HOLD_MS = 5_000;

/** Options of {@linkcode DirectIo}, for tests. */
export interface DirectIoOptions {
  /** The clock, in milliseconds. @default {performance.now} */
  now?: () => number;
}

/**
 * Chooses between direct (synchronous) file reads and writes and async ops,
 * for a whole process: one for ferryd's local storage, one for the client.
 *
 * A direct call on data in the page cache costs less CPU than an async op,
 * which hops to Deno's thread pool and back: with direct file calls, 16
 * uploads at once went from 377 to 413 MB/s and ferryd's CPU from 1.93 to
 * 1.73 s (docs/PERFORMANCE.md). But a direct call blocks the event loop, and so
 * every connection, for as long as it lasts. So each direct call is timed,
 * and one slower than {@linkcode SLOW_DIRECT_CALL_MS} sends all file data
 * through async ops for {@linkcode ASYNC_HOLD_MS}: when the disk pushes back,
 * the loop stays free and the hop's cost is small next to the disk's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DirectIo } from "./direct_io.ts";
 * let clock = 0;
 * const io = new DirectIo({ now: () => clock });
 * assert.equal(io.allowed, true);
 * assert.equal(await io.run(() => (clock += 50)), 50); // a direct call that took 50 ms
 * assert.equal(io.allowed, false);
 * clock += 5_000;
 * assert.equal(io.allowed, true);
 * ```
 */
export class DirectIo {
  #now: () => number;
  #asyncUntil = -Infinity;

  /** @param options The clock (tests). */
  constructor(options: DirectIoOptions = {}) {
    this.#now = options.now ?? (() => performance.now());
  }

  /** Whether file data may go through direct calls now. */
  get allowed(): boolean {
    return this.#now() >= this.#asyncUntil;
  }

  /**
   * Runs one direct call now and times it (a slow one turns direct calls off
   * for a while), then settles on the next turn of the event loop.
   *
   * The turn matters: a loop of direct calls whose other awaits all settle at
   * once (a socket that takes every write) would otherwise never give the
   * event loop a turn, and V8 frees dead buffers in tasks that run there.
   * Without it, a 64 MiB download left ferryd at 100–112 MiB instead of
   * 73–77 MiB; with it, 78–81 MiB. A turn costs about 1 µs.
   *
   * @param call The direct call.
   * @returns What it returned, or its error.
   */
  run<T>(call: () => T): Promise<T> {
    const start = this.#now();
    let result: T;
    try {
      result = call();
    } catch (error) {
      return Promise.reject(error);
    } finally {
      const end = this.#now();
      if (end - start > SLOW_DIRECT_CALL_MS) this.#asyncUntil = end + ASYNC_HOLD_MS;
    }
    return new Promise((resolve) => setImmediate(() => resolve(result)));
  }
}
