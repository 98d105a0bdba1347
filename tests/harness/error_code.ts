/**
 * A matcher for `assert.rejects`: a {@linkcode FerryError} with one code.
 *
 * @module
 */

import { type ErrorCode, FerryError } from "../../lib/core/errors.ts";

/** Matches a `FerryError` whose code is `code`. */
export function isCode(code: ErrorCode): (error: unknown) => boolean {
  return (error) => error instanceof FerryError && error.code === code;
}
