/**
 * The client's clock for a login: how long it waits for the server, and
 * what it says when the login ends early. Only the server's time counts:
 * the clock stops while the user answers a prompt (trust, password), so a
 * person may take as long as the server's login grace allows, and a port
 * that accepts but never speaks ferry (an HTTP server, `nc -l`) fails
 * after the connect timeout instead of hanging.
 *
 * ```
 * connect ─ preamble ─ message 1 ─ hello (message 2) │ prompts │ message 3 ─ reply
 * └──────────── connect timeout ───────────────────┘ (stopped)  └ timeout + login wait ┘
 * ```
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";

/** Seconds the client waits for the server by default (`--connect-timeout`). */
export const CONNECT_TIMEOUT_SECONDS = 15;

/** What a server hello says about its login timing (absent from older servers). */
export interface LoginTiming {
  /** Seconds the server waits from its hello to the login. */
  graceSeconds: number | undefined;
  /** Longest the server may take to answer a login (back-off, queue), in seconds. */
  waitSeconds: number;
}

/** Assumed when the hello does not say: the default back-off cap and queue wait. */
const DEFAULT_LOGIN_WAIT_SECONDS = 40;

function positive(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** Reads the login timing of a server hello. */
export function loginTimingOf(hello: unknown): LoginTiming {
  const fields = (hello ?? {}) as { loginGraceSeconds?: unknown; loginWaitSeconds?: unknown };
  return {
    graceSeconds: positive(fields.loginGraceSeconds),
    waitSeconds: positive(fields.loginWaitSeconds) ?? DEFAULT_LOGIN_WAIT_SECONDS,
  };
}

/** Whether an error means the connection ended, rather than an answer of the server. */
function isConnectionEnd(error: unknown): boolean {
  if (error instanceof FerryError) return error.code === "network";
  return error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.ConnectionAborted || error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.Interrupted;
}

/** Times one login; see the module documentation. */
export class LoginClock {
  #address: string;
  #timeoutMs: number;
  #onTimeout: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expired: string | undefined;
  #helloAt: number | undefined;
  #timing: LoginTiming | undefined;
  #loginSent = false;

  /**
   * Starts the clock for the connect and the handshake up to the hello.
   *
   * @param address `host:port`, for messages.
   * @param timeoutSeconds The connect timeout.
   * @param onTimeout Ends the attempt (closes the socket, aborts the connect).
   */
  constructor(address: string, timeoutSeconds: number, onTimeout: () => void) {
    this.#address = address;
    this.#timeoutMs = timeoutSeconds * 1000;
    this.#onTimeout = onTimeout;
    this.#run(this.#timeoutMs, `no answer from a ferry server within ${timeoutSeconds} s`);
  }

  #run(ms: number, reason: string): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#expired = reason;
      this.#onTimeout();
    }, ms);
  }

  /** The hello is in: the clock stops while the user is asked. */
  hello(hello: unknown): void {
    clearTimeout(this.#timer);
    this.#helloAt = performance.now();
    this.#timing = loginTimingOf(hello);
  }

  /** The login goes out: the clock runs again, for the server's answer. */
  loginSent(): void {
    this.#loginSent = true;
    const seconds = Math.ceil(this.#timeoutMs / 1000 + (this.#timing?.waitSeconds ?? 0));
    this.#run(seconds * 1000, `the server did not answer the login within ${seconds} s`);
  }

  /** The login is over. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  /**
   * Says why a login failed when the clock knows better than the error: it
   * ran out, or the server closed the connection once its login grace was
   * over (the user took longer at the prompts).
   *
   * @returns The error to report: `network` for a timeout, `auth_failed`
   *   for the grace, else `error` itself.
   */
  explain(error: unknown): unknown {
    this.stop();
    if (this.#expired !== undefined) {
      return new FerryError("network", `Cannot log in to ${this.#address}: ${this.#expired}`, {
        cause: error,
      });
    }
    const grace = this.#timing?.graceSeconds;
    if (
      grace !== undefined && this.#helloAt !== undefined && this.#loginSent &&
      isConnectionEnd(error)
    ) {
      const graceMs = grace * 1000;
      const waited = performance.now() - this.#helloAt;
      if (waited >= graceMs - Math.min(1000, graceMs / 10)) {
        return new FerryError(
          "auth_failed",
          `Cannot log in to ${this.#address}: the server gave up waiting for the login after ` +
            `${grace} s (the prompts took ${Math.round(waited / 1000)} s)`,
          { cause: error },
        );
      }
    }
    return error;
  }
}
