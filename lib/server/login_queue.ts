/**
 * The queue of password checks. A check is scrypt: about 50 ms of CPU and
 * 16 MiB on a thread of its own. Run all at once, a storm of logins puts
 * hundreds of such threads on the cores: the event loop starves (handshakes
 * time out, logged-in sessions wait seconds for a `stat`) and the memory of
 * every check is held at once. So only a few run at a time, the others
 * wait their turn in arrival order, and a login that cannot start within
 * the queue's wait limit is told `busy, retry later` at once (when the
 * queue ahead of it is already longer than that) or when the limit runs out.
 *
 * The wait is the server's, not the client's: it does not count against
 * the handshake timeout.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";

/** The limits of a {@linkcode LoginQueue}. */
export interface LoginQueueOptions {
  /** Checks running at once. */
  maxRunning: number;
  /** Longest a check may wait for its turn, in ms. */
  maxWaitMs: number;
}

interface Waiter {
  start(): void;
  timer: ReturnType<typeof setTimeout>;
}

/** What a check is assumed to take until one was timed: a little more than measured here. */
const FIRST_GUESS_MS = 80;

/** Weight of the newest check in the running average of check times. */
const AVERAGE_WEIGHT = 0.2;

/** The error of a login that cannot be served in time. */
export function loginQueueBusy(): FerryError {
  return new FerryError("busy", "Server busy: too many logins at once, retry later");
}

/**
 * Runs password checks a few at a time, first come first served.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LoginQueue } from "./login_queue.ts";
 * const queue = new LoginQueue({ maxRunning: 2, maxWaitMs: 10_000 });
 * assert.equal(await queue.run(() => Promise.resolve(42)), 42);
 * ```
 */
export class LoginQueue {
  #options: LoginQueueOptions;
  #running = 0;
  #waiting: Waiter[] = [];
  #averageMs = FIRST_GUESS_MS;

  /** @param options The limits. */
  constructor(options: LoginQueueOptions) {
    this.#options = options;
  }

  /** Checks running now. */
  get running(): number {
    return this.#running;
  }

  /** Checks waiting for their turn now. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `check` when its turn comes.
   *
   * @throws {FerryError} `busy` when its turn would come, or has not come,
   *   within the wait limit; `check` then never runs.
   */
  async run<T>(check: () => Promise<T>): Promise<T> {
    await this.#turn();
    const started = performance.now();
    try {
      return await check();
    } finally {
      const took = performance.now() - started;
      this.#averageMs += AVERAGE_WEIGHT * (took - this.#averageMs);
      this.#running--;
      this.#next();
    }
  }

  /** The wait ahead of a check that joins the queue now, in ms (an estimate). */
  expectedWaitMs(): number {
    if (this.#running < this.#options.maxRunning) return 0;
    return Math.ceil((this.#waiting.length + 1) / this.#options.maxRunning) * this.#averageMs;
  }

  #turn(): Promise<void> {
    if (this.#running < this.#options.maxRunning && this.#waiting.length === 0) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.expectedWaitMs() > this.#options.maxWaitMs) return Promise.reject(loginQueueBusy());
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const waiter: Waiter = {
      start: resolve,
      timer: setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        reject(loginQueueBusy());
      }, this.#options.maxWaitMs),
    };
    this.#waiting.push(waiter);
    return promise;
  }

  #next(): void {
    while (this.#running < this.#options.maxRunning) {
      const waiter = this.#waiting.shift();
      if (waiter === undefined) return;
      clearTimeout(waiter.timer);
      this.#running++;
      waiter.start();
    }
  }
}
