/**
 * The failures of decrypting a ferry encrypted file, each with a stable
 * {@linkcode FileCryptoFailure} reason and a {@linkcode FerryError} code.
 *
 * @module
 */

import { type ErrorCode, FerryError, isErrorCode } from "../core/errors.ts";

/**
 * Why a file could not be decrypted. Each reason has its own message; see
 * `docs/ENCRYPTION.md` ("Errors") for the exact text.
 */
export type FileCryptoFailure =
  /** The bytes do not start with the magic: not a ferry encrypted file. */
  | "not_encrypted"
  /** A format version this code does not read. */
  | "unsupported"
  /** A header field is out of range, or the header is cut short. */
  | "malformed"
  /** The passphrase or key file does not unlock the file (or is of the wrong kind). */
  | "wrong_key"
  /** The header was changed: its checksum or its authentication failed. */
  | "header_modified"
  /** A chunk failed authentication: its bytes were changed. */
  | "chunk_modified"
  /** A chunk sits at the wrong index: chunks were dropped, duplicated or swapped. */
  | "reordered"
  /** The file ends before the size its header declares. */
  | "truncated"
  /** Bytes follow the final chunk. */
  | "appended";

function preferred(code: string, fallback: ErrorCode): ErrorCode {
  return isErrorCode(code) ? code : fallback;
}

/**
 * The code of a wrong passphrase or key file: `"wrong_key"` once
 * `lib/core/errors.ts` lists it (recommended, exit code 3), else `"auth_failed"`.
 */
export const WRONG_KEY_CODE: ErrorCode = preferred("wrong_key", "auth_failed");

/**
 * The code of a modified, truncated, reordered or extended file: `"corrupt"`
 * once `lib/core/errors.ts` lists it (recommended, exit code 3), else `"integrity"`.
 */
export const CORRUPT_CODE: ErrorCode = preferred("corrupt", "integrity");

const CODES: Readonly<Record<FileCryptoFailure, ErrorCode>> = {
  "not_encrypted": CORRUPT_CODE,
  unsupported: "unsupported_version",
  malformed: CORRUPT_CODE,
  "wrong_key": WRONG_KEY_CODE,
  "header_modified": CORRUPT_CODE,
  "chunk_modified": CORRUPT_CODE,
  reordered: CORRUPT_CODE,
  truncated: CORRUPT_CODE,
  appended: CORRUPT_CODE,
};

/**
 * A file that cannot be decrypted. Its `code` picks the exit code; its
 * `reason` says precisely what was wrong.
 *
 * @example Telling a wrong passphrase from a damaged file
 * ```ts
 * import assert from "node:assert/strict";
 * import { FileCryptoError, WRONG_KEY_CODE } from "./file_crypto_error.ts";
 * const error = new FileCryptoError("wrong_key", "Cannot decrypt: wrong passphrase");
 * assert.equal(error.reason, "wrong_key");
 * assert.equal(error.code, WRONG_KEY_CODE);
 * ```
 */
export class FileCryptoError extends FerryError {
  /** What exactly was wrong. */
  readonly reason: FileCryptoFailure;

  /**
   * Makes the error; the reason picks the code.
   *
   * @param reason What exactly was wrong; it picks the code.
   * @param message A sentence in std style.
   * @param options The usual `{ cause }`.
   */
  constructor(reason: FileCryptoFailure, message: string, options?: ErrorOptions) {
    super(CODES[reason], message, options);
    this.name = "FileCryptoError";
    this.reason = reason;
  }
}

/**
 * Tells whether `error` is a {@linkcode FileCryptoError}, optionally of one reason.
 *
 * @param error Anything caught.
 * @param reason When given, the reason it must have.
 * @returns `true` when it matches.
 */
export function isFileCryptoError(
  error: unknown,
  reason?: FileCryptoFailure,
): error is FileCryptoError {
  return error instanceof FileCryptoError && (reason === undefined || error.reason === reason);
}
