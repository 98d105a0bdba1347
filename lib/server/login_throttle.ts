/**
 * Slows down password guessing: after each failed login from an address,
 * the next attempt from it waits twice as long as the last, up to a cap.
 *
 * @module
 */

/** Options of {@linkcode LoginThrottle}. */
export interface LoginThrottleOptions {
  /** The wait after the first failure, in ms. @default {250} */
  baseDelayMs?: number;
  /** The longest wait, in ms. @default {30000} */
  maxDelayMs?: number;
  /** How long a quiet address keeps its count, in ms. @default {900000} */
  forgetAfterMs?: number;
}

interface Failures {
  count: number;
  notBefore: number;
  last: number;
}

/** Per-address exponential back-off of login attempts. */
export class LoginThrottle {
  #failures = new Map<string, Failures>();
  #base: number;
  #max: number;
  #forget: number;

  /** @param options Delays. */
  constructor(options: LoginThrottleOptions = {}) {
    this.#base = options.baseDelayMs ?? 250;
    this.#max = options.maxDelayMs ?? 30_000;
    this.#forget = options.forgetAfterMs ?? 900_000;
  }

  /**
   * How long an attempt from `address` must wait now, in ms.
   *
   * @param address The client's IP address.
   */
  delayFor(address: string): number {
    const entry = this.#failures.get(address);
    if (!entry) return 0;
    const now = Date.now();
    if (now - entry.last > this.#forget) {
      this.#failures.delete(address);
      return 0;
    }
    return Math.max(0, entry.notBefore - now);
  }

  /** Records a failed login from `address`. */
  fail(address: string): void {
    const now = Date.now();
    const count = (this.#failures.get(address)?.count ?? 0) + 1;
    const delay = Math.min(this.#max, this.#base * 2 ** (count - 1));
    this.#failures.set(address, { count, notBefore: now + delay, last: now });
    if (this.#failures.size > 10_000) this.#prune(now);
  }

  /** Forgets the failures of `address` after a good login. */
  succeed(address: string): void {
    this.#failures.delete(address);
  }

  #prune(now: number): void {
    for (const [address, entry] of this.#failures) {
      if (now - entry.last > this.#forget) this.#failures.delete(address);
    }
  }
}
