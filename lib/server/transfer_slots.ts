/**
 * The transfers one session runs at once: each holds buffers (a download
 * two 64 KiB chunks and a frame waiting for the socket, an upload a 128 KiB
 * write buffer), so their number bounds the session's memory, not the 128
 * requests it may have in flight.
 *
 * @module
 */

/**
 * Streaming requests (`get`, `list`, a non-eager `put`) served at once per
 * session; the others wait their turn, in order. Twice the client's
 * `TRANSFERS_IN_FLIGHT` would never wait; 16 keep small-file batches
 * overlapped while the session holds at most 16 transfers' buffers.
 */
export const TRANSFERS_PER_SESSION = 16;

/**
 * At most `count` holders at once; the rest wait in order, or give up when
 * their signal aborts (a `CANCEL` of a request still waiting).
 *
 * @example
 * ```ts
 * import { TransferSlots } from "./transfer_slots.ts";
 * const slots = new TransferSlots(1);
 * {
 *   using _slot = await slots.acquire(new AbortController().signal);
 *   // the one transfer of this session
 * }
 * ```
 */
export class TransferSlots {
  #free: number;
  #waiting: (() => void)[] = [];

  /** @param count Holders at once. */
  constructor(count: number) {
    this.#free = count;
  }

  /**
   * Waits for a slot; dispose of the result to give it back.
   *
   * @throws The signal's reason when it aborts first.
   */
  async acquire(signal: AbortSignal): Promise<Disposable> {
    signal.throwIfAborted();
    if (this.#free > 0) {
      this.#free--;
      return this.#slot();
    }
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const wake = (): void => resolve();
    const onAbort = (): void => {
      this.#waiting = this.#waiting.filter((waiter) => waiter !== wake);
      reject(signal.reason);
    };
    this.#waiting.push(wake);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await promise;
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    return this.#slot();
  }

  #slot(): Disposable {
    let held = true;
    return {
      [Symbol.dispose]: () => {
        if (!held) return;
        held = false;
        const next = this.#waiting.shift();
        if (next) next();
        else this.#free++;
      },
    };
  }
}
