/**
 * Threads of the server's own for scrypt. `node:crypto`'s async scrypt
 * runs on the runtime's blocking pool, whose many threads each keep the
 * 16 MiB of a check in their own malloc arena once it is freed: after a
 * login storm ferryd stayed hundreds of MiB above its start, even with one
 * check at a time. A few long-lived threads (Workers), one synchronous
 * check each at a time, reuse the same memory: the whole cost is `size` ×
 * 16 MiB, at any load.
 *
 * The Worker's code is a Blob of a few lines (it only calls `scryptSync`
 * with what {@linkcode scryptCall} prepared): a Blob needs no read
 * permission on a module file, so the server's sandbox stays as it is, and
 * `deno compile` needs nothing more.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { type ScryptCall, scryptCall, type ScryptCost } from "./password_hash.ts";

/** How long the threads stay after the last check: a login storm is over by then. */
export const RETIRE_AFTER_MS = 30_000;

const WORKER_SOURCE = `import { scryptSync } from "node:crypto";
self.onmessage = (event) => {
  const { id, call } = event.data;
  try {
    const key = scryptSync(call.password, call.salt, call.keyBytes, call.options);
    self.postMessage({ id, key: new Uint8Array(key) });
  } catch (error) {
    self.postMessage({ id, error: String(error) });
  }
};
`;

/** A job for a thread. */
interface ScryptJob {
  id: number;
  call: ScryptCall;
}

/** A thread's answer. */
interface ScryptAnswer {
  id: number;
  key?: Uint8Array;
  error?: string;
}

interface Job {
  job: ScryptJob;
  done: PromiseWithResolvers<Uint8Array>;
}

/** A password check that could not run: the reason is for the server's log (./login_failure.ts). */
function failure(reason: string): FerryError {
  return new FerryError("internal", "Cannot check the password", { cause: new Error(reason) });
}

/**
 * A pool of `size` scrypt threads, started on first use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hashPassword, verifyPassword } from "./password_hash.ts";
 * import { ScryptThreads } from "./scrypt_threads.ts";
 * const stored = await hashPassword("pier 39");
 * const threads = new ScryptThreads(2);
 * assert.equal(await verifyPassword("pier 39", stored, threads.derive), true);
 * assert.equal(await verifyPassword("pier 40", stored, threads.derive), false);
 * threads.close();
 * ```
 */
export class ScryptThreads {
  #size: number;
  #retireAfterMs: number;
  #retireTimer: ReturnType<typeof setTimeout> | undefined;
  #url: string | undefined;
  #idle: Worker[] = [];
  #all: Worker[] = [];
  #waiting: Job[] = [];
  #running = new Map<Worker, Job>();
  #nextId = 1;

  /**
   * @param size Threads at most (checks at once).
   * @param retireAfterMs With no check for this long, the threads end and give
   *   their memory back (about 16 MiB of scrypt and a runtime each); the next
   *   check starts one again (a few ms). @default {RETIRE_AFTER_MS}
   */
  constructor(size: number, retireAfterMs: number = RETIRE_AFTER_MS) {
    this.#size = size;
    this.#retireAfterMs = retireAfterMs;
  }

  /** Threads running now (busy or idle). */
  get threads(): number {
    return this.#all.length;
  }

  /** Derives a key on one of the threads (waits for a free one); a `DeriveKey`. */
  derive = (password: string, salt: Uint8Array, cost: ScryptCost): Promise<Uint8Array> => {
    const done = Promise.withResolvers<Uint8Array>();
    this.#waiting.push({
      job: { id: this.#nextId++, call: scryptCall(password, salt, cost) },
      done,
    });
    clearTimeout(this.#retireTimer);
    this.#retireTimer = undefined;
    this.#dispatch();
    return done.promise;
  };

  /** Ends the threads once nothing has been asked of them for a while. */
  #retireWhenQuiet(): void {
    if (this.#running.size > 0 || this.#waiting.length > 0) return;
    clearTimeout(this.#retireTimer);
    const timer = setTimeout(() => {
      this.#retireTimer = undefined;
      if (this.#running.size > 0 || this.#waiting.length > 0) return;
      for (const worker of this.#all) worker.terminate();
      this.#all = [];
      this.#idle = [];
    }, this.#retireAfterMs);
    Deno.unrefTimer(timer);
    this.#retireTimer = timer;
  }

  /** Ends the threads; checks still running or waiting fail. */
  close(): void {
    clearTimeout(this.#retireTimer);
    for (const worker of this.#all) worker.terminate();
    for (const { done } of [...this.#running.values(), ...this.#waiting]) {
      done.reject(failure("the server stopped"));
    }
    if (this.#url !== undefined) URL.revokeObjectURL(this.#url);
    this.#url = undefined;
    this.#all = [];
    this.#idle = [];
    this.#running.clear();
    this.#waiting = [];
  }

  #dispatch(): void {
    while (this.#waiting.length > 0) {
      const worker = this.#idle.pop() ?? this.#spawn();
      if (worker === undefined) return;
      const job = this.#waiting.shift() as Job;
      this.#running.set(worker, job);
      worker.postMessage(job.job);
    }
  }

  #spawn(): Worker | undefined {
    if (this.#all.length >= this.#size) return undefined;
    this.#url ??= URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" }));
    const worker = new Worker(this.#url, { type: "module", name: "scrypt" });
    worker.onmessage = (event: MessageEvent<ScryptAnswer>): void => {
      const job = this.#running.get(worker);
      this.#running.delete(worker);
      this.#idle.push(worker);
      const { key, error } = event.data;
      if (key) job?.done.resolve(key);
      else job?.done.reject(failure(String(error)));
      this.#dispatch();
      this.#retireWhenQuiet();
    };
    worker.onerror = (event: ErrorEvent): void => {
      event.preventDefault();
      const job = this.#running.get(worker);
      this.#running.delete(worker);
      this.#all.splice(this.#all.indexOf(worker), 1);
      worker.terminate();
      job?.done.reject(failure(event.message));
      this.#dispatch();
    };
    this.#all.push(worker);
    return worker;
  }
}
