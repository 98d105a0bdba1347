/**
 * A login that failed inside the server, not on the client's credentials (a
 * password check that could not run: a damaged users file, a thread that
 * would not start). The operator needs the details and the client must not
 * see them, so they go to the log and the client gets one plain sentence.
 *
 * @module
 */

import { FerryError, isFerryError } from "../core/errors.ts";
import type { ConsoleLog } from "./console_log.ts";

/** What a client is told when its login failed inside the server. */
export const LOGIN_INTERNAL_MESSAGE =
  "Cannot log in: the server failed to check the credentials (its log says why)";

/** An error's message and those of its causes, as one line. */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let at: unknown = error; at !== undefined && parts.length < 4;) {
    parts.push(at instanceof Error ? at.message : String(at));
    at = at instanceof Error ? at.cause : undefined;
  }
  return parts.join(": ");
}

/**
 * Whether a login error is the server's own failure: anything but a
 * {@linkcode FerryError}, or one with code `internal`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FerryError } from "../core/errors.ts";
 * import { isInternalLoginError } from "./login_failure.ts";
 * assert.equal(isInternalLoginError(new FerryError("auth_failed", "no")), false);
 * assert.equal(isInternalLoginError(new RangeError("Invalid scrypt params")), true);
 * ```
 */
export function isInternalLoginError(error: unknown): boolean {
  return !isFerryError(error) || error.code === "internal";
}

/**
 * Logs an internal login failure with its details and returns what the
 * client is told instead ({@linkcode LOGIN_INTERNAL_MESSAGE}).
 *
 * @param error What the login threw.
 * @param log The console log.
 * @param who `"USER" from ADDRESS`, for the log line.
 * @returns The error to send.
 */
export function internalLoginError(error: unknown, log: ConsoleLog, who: string): FerryError {
  log.error(`Cannot log in ${who}: ${describe(error)}`);
  return new FerryError("internal", LOGIN_INTERNAL_MESSAGE);
}
