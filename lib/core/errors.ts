/**
 * The one error type that crosses layers in ferry.
 *
 * Every failure a user or a peer can cause is a {@linkcode FerryError} with a
 * stable {@linkcode ErrorCode}. The code is what travels on the wire (see
 * `lib/protocol/wire_error.ts`) and what picks the CLI exit code (see
 * `lib/cli/shared/exit_codes.ts`); the message is for humans and follows the std
 * style: sentence case, no final period, values quoted.
 *
 * Programmer errors stay built-in (`TypeError`, `RangeError`).
 *
 * @module
 */

/** Stable error codes, shared by the protocol and the command line. */
export const ERROR_CODES = [
  "bad_request",
  "unsupported_version",
  "auth_failed",
  "host_key_changed",
  "host_key_unknown",
  "not_found",
  "exists",
  "busy",
  "denied",
  "invalid_path",
  "too_large",
  "quota",
  "not_empty",
  "is_directory",
  "not_directory",
  "integrity",
  "wrong_key",
  "corrupt",
  "protocol",
  "network",
  "usage",
  "local_io",
  "cancelled",
  "internal",
] as const;

/** One of {@linkcode ERROR_CODES}. */
export type ErrorCode = typeof ERROR_CODES[number];

/**
 * Tells whether a string received from a peer is a known error code.
 *
 * @param value The string to test.
 * @returns `true` when `value` is one of {@linkcode ERROR_CODES}.
 */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * A failure with a stable machine-readable code.
 *
 * @example Throwing and catching by code
 * ```ts
 * import { FerryError } from "./errors.ts";
 * try {
 *   throw new FerryError("not_found", 'Cannot stat "a.txt": no such file');
 * } catch (error) {
 *   if (error instanceof FerryError && error.code === "not_found") {
 *     // handle it
 *   }
 * }
 * ```
 */
export class FerryError extends Error {
  /** The stable code: what the wire carries and what picks the exit code. */
  readonly code: ErrorCode;

  /**
   * @param code The stable code.
   * @param message A human-readable sentence in std style.
   * @param options The usual `{ cause }`.
   */
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "FerryError";
    this.code = code;
  }
}

/**
 * Tells whether `error` is a {@linkcode FerryError}, optionally of one code.
 *
 * @param error Anything caught.
 * @param code When given, the code it must have.
 * @returns `true` when it matches.
 */
export function isFerryError(error: unknown, code?: ErrorCode): error is FerryError {
  return error instanceof FerryError && (code === undefined || error.code === code);
}
