/**
 * Brute-force defence, on by default: after each failed login the next
 * attempt from the same address, and for the same user, waits twice as
 * long as the last (up to a cap); after `lockoutFailures` failures the
 * address or user is locked out for `lockoutMs`. A good login clears both.
 *
 * Locking a user out can be used to annoy that user, but only for
 * `lockoutMs`, and it stops a password being guessed from many addresses.
 *
 * @module
 */

/** The throttle key of a user. */
export function userKey(name: string): string {
  return `user "${name}"`;
}

/** The throttle key of an address. */
export function addressKey(address: string): string {
  return `address ${address}`;
}

/** Options of {@linkcode LoginThrottle}. */
export interface LoginThrottleOptions {
  /** The wait after the first failure, in ms. @default {250} */
  baseDelayMs?: number;
  /** The longest wait, in ms. @default {30000} */
  maxDelayMs?: number;
  /** Failures before a lock-out. @default {10} */
  lockoutFailures?: number;
  /** How long a lock-out lasts, in ms. @default {900000} */
  lockoutMs?: number;
}

interface Failures {
  count: number;
  notBefore: number;
  lockedUntil: number;
  last: number;
}

/** What the throttle says about an attempt. */
export type ThrottleVerdict =
  | { locked: false; waitMs: number }
  | { locked: true; retryInMs: number; key: string };

/** Per-address and per-user back-off and lock-out. */
export class LoginThrottle {
  #failures = new Map<string, Failures>();
  #base: number;
  #max: number;
  #lockoutFailures: number;
  #lockoutMs: number;

  /** @param options Delays and lock-out. */
  constructor(options: LoginThrottleOptions = {}) {
    this.#base = options.baseDelayMs ?? 250;
    this.#max = options.maxDelayMs ?? 30_000;
    this.#lockoutFailures = options.lockoutFailures ?? 10;
    this.#lockoutMs = options.lockoutMs ?? 900_000;
  }

  /**
   * Decides about an attempt from `address` as `user`: locked out, or how
   * long it must wait first.
   */
  check(address: string, user: string): ThrottleVerdict {
    const now = Date.now();
    let waitMs = 0;
    for (const key of [addressKey(address), userKey(user)]) {
      const entry = this.#entry(key, now);
      if (!entry) continue;
      if (entry.lockedUntil > now) return { locked: true, retryInMs: entry.lockedUntil - now, key };
      waitMs = Math.max(waitMs, entry.notBefore - now);
    }
    return { locked: false, waitMs };
  }

  /**
   * Records a failed login.
   *
   * @returns What was locked out by this failure (empty when nothing).
   */
  fail(address: string, user: string): string[] {
    const now = Date.now();
    const locked: string[] = [];
    for (const key of [addressKey(address), userKey(user)]) {
      const count = (this.#entry(key, now)?.count ?? 0) + 1;
      const delay = Math.min(this.#max, this.#base * 2 ** (count - 1));
      const lockedUntil = count >= this.#lockoutFailures ? now + this.#lockoutMs : 0;
      if (lockedUntil) locked.push(key);
      this.#failures.set(key, {
        count: lockedUntil ? 0 : count,
        notBefore: now + delay,
        lockedUntil,
        last: now,
      });
    }
    if (this.#failures.size > 10_000) this.#prune(now);
    return locked;
  }

  /** Forgets the failures of `address` and `user` after a good login. */
  succeed(address: string, user: string): void {
    this.#failures.delete(addressKey(address));
    this.#failures.delete(userKey(user));
  }

  /**
   * Forgets the failures of `key` if none came after `time` (an operator's
   * unlock, see `unlocks.ts`).
   *
   * @returns Whether there were any to forget.
   */
  forgetBefore(key: string, time: number): boolean {
    const entry = this.#failures.get(key);
    if (entry === undefined || entry.last > time) return false;
    this.#failures.delete(key);
    return true;
  }

  #entry(key: string, now: number): Failures | undefined {
    const entry = this.#failures.get(key);
    if (entry && entry.lockedUntil <= now && now - entry.last > this.#lockoutMs) {
      this.#failures.delete(key);
      return undefined;
    }
    return entry;
  }

  #prune(now: number): void {
    for (const key of [...this.#failures.keys()]) this.#entry(key, now);
  }
}
