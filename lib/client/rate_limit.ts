/**
 * A bandwidth limit shared by all transfers of a command (`-l KIB`): bytes
 * on the wire are paid for before they go (uploads) or before the next
 * chunk is taken in (downloads), so the server's sends back off too.
 *
 * @module
 */

/**
 * A token bucket that may run into debt: `take(n)` always succeeds, and
 * waits until the debt it leaves is paid at the rate. It starts empty, so
 * even a short transfer keeps to the rate, and saves up at most one frame
 * while idle.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "./rate_limit.ts";
 * const limiter = new RateLimiter(100 * 1024); // 100 KiB/s
 * await limiter.take(10_240); // waits about 0.1 s
 * ```
 */
export class RateLimiter {
  #bytesPerMs: number;
  #burst: number;
  #available = 0;
  #last = performance.now();

  /** @param bytesPerSecond The limit; must be positive. */
  constructor(bytesPerSecond: number) {
    this.#bytesPerMs = bytesPerSecond / 1000;
    this.#burst = 64 * 1024;
  }

  /** Pays for `bytes`: resolves when they may go. */
  async take(bytes: number): Promise<void> {
    const now = performance.now();
    this.#available = Math.min(
      this.#burst,
      this.#available + (now - this.#last) * this.#bytesPerMs,
    );
    this.#last = now;
    this.#available -= bytes;
    if (this.#available >= 0) return;
    const waitMs = -this.#available / this.#bytesPerMs;
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
