/**
 * The one mapping from errors to process exit codes (docs in README.md):
 * 0 success, 1 usage or local problem, 2 authentication or trust,
 * 3 remote refusal (not found, exists, busy, denied, ...) or a file that
 * cannot be decrypted (wrong key, modified),
 * 4 network or protocol failure.
 *
 * @module
 */

import { type ErrorCode, FerryError } from "../../core/errors.ts";

/** The exit codes, by name. */
export const ExitCode = {
  OK: 0,
  USAGE: 1,
  AUTH: 2,
  REMOTE: 3,
  NETWORK: 4,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  usage: ExitCode.USAGE,
  "local_io": ExitCode.USAGE,
  "auth_failed": ExitCode.AUTH,
  "host_key_changed": ExitCode.AUTH,
  "host_key_unknown": ExitCode.AUTH,
  "bad_request": ExitCode.REMOTE,
  "not_found": ExitCode.REMOTE,
  exists: ExitCode.REMOTE,
  busy: ExitCode.REMOTE,
  denied: ExitCode.REMOTE,
  "invalid_path": ExitCode.REMOTE,
  "too_large": ExitCode.REMOTE,
  quota: ExitCode.REMOTE,
  "not_empty": ExitCode.REMOTE,
  "is_directory": ExitCode.REMOTE,
  "not_directory": ExitCode.REMOTE,
  cancelled: ExitCode.REMOTE,
  internal: ExitCode.REMOTE,
  "wrong_key": ExitCode.REMOTE,
  corrupt: ExitCode.REMOTE,
  integrity: ExitCode.NETWORK,
  protocol: ExitCode.NETWORK,
  "unsupported_version": ExitCode.NETWORK,
  network: ExitCode.NETWORK,
};

/**
 * Picks the exit code for a failure.
 *
 * @param error Anything thrown. Errors that are not {@linkcode FerryError}
 *   count as network failures when they come from the socket, else as 1.
 */
export function exitCodeFor(error: unknown): number {
  if (error instanceof FerryError) return BY_CODE[error.code];
  if (
    error instanceof Deno.errors.ConnectionRefused ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.TimedOut ||
    error instanceof Deno.errors.ConnectionAborted
  ) {
    return ExitCode.NETWORK;
  }
  return ExitCode.USAGE;
}
