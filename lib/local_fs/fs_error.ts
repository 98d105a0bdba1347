/**
 * The one place where file system errors become {@linkcode FerryError}s.
 *
 * Deno's own messages name absolute server paths, so they never reach the
 * message: they stay in `cause`, for the server's log only.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import type { ErrorCode } from "../core/errors.ts";

const BY_OS_CODE: Readonly<Record<string, readonly [ErrorCode, string]>> = {
  ENOENT: ["not_found", "no such file or folder"],
  EEXIST: ["exists", "it already exists"],
  ENOTDIR: ["not_directory", "a part of the path is not a folder"],
  EISDIR: ["is_directory", "it is a folder"],
  ENOTEMPTY: ["not_empty", "the folder is not empty"],
  EACCES: ["denied", "the server's file system refused access"],
  EPERM: ["denied", "the server's file system refused the operation"],
  ELOOP: ["invalid_path", "too many levels of symbolic links"],
  ENAMETOOLONG: ["invalid_path", "the name is too long for the server's file system"],
  ENOSPC: ["quota", "the server's disk is full"],
  EDQUOT: ["quota", "the server's disk quota is exhausted"],
  EBUSY: ["busy", "the server's file system reports it busy"],
};

/**
 * Converts anything thrown by a `Deno.*` file system call into a
 * {@linkcode FerryError}. A `FerryError` passes through unchanged; anything
 * unknown becomes `internal`.
 *
 * @example Mapping a missing file
 * ```ts
 * import { fsError } from "./fs_error.ts";
 * import assert from "node:assert/strict";
 * try {
 *   await Deno.stat("/nonexistent/x");
 * } catch (error) {
 *   const mapped = fsError(error, 'Cannot stat "x"');
 *   assert.equal(mapped.code, "not_found");
 *   assert.equal(mapped.message, 'Cannot stat "x": no such file or folder');
 * }
 * ```
 *
 * @param error What the call threw.
 * @param action The start of the message, naming the remote path, such as
 * `Cannot remove "a/b.txt"`; a reason is appended after a colon.
 * @returns The error to throw.
 */
export function fsError(error: unknown, action: string): FerryError {
  if (error instanceof FerryError) return error;
  const [code, reason] = classify(error);
  return new FerryError(code, `${action}: ${reason}`, { cause: error });
}

/** The OS codes of a file system out of room: the disk, or the disk quota of ferryd's own user. */
const DISK_FULL_CODES: ReadonlySet<string> = new Set(["ENOSPC", "EDQUOT"]);

/**
 * Tells whether a file system call failed because the disk (or ferryd's own
 * disk quota) is full: the raw error, or a {@linkcode FerryError} made from
 * it by {@linkcode fsError}. Not the user's quota, which is checked before
 * any byte is written and has no OS cause.
 *
 * @example
 * ```ts
 * import { fsError, isDiskFull } from "./fs_error.ts";
 * import assert from "node:assert/strict";
 * const full = Object.assign(new Error("No space left on device"), { code: "ENOSPC" });
 * assert.ok(isDiskFull(full));
 * assert.ok(isDiskFull(fsError(full, 'Cannot write "x"')));
 * assert.ok(!isDiskFull(new Error("other")));
 * ```
 *
 * @param error Anything caught.
 * @returns `true` for ENOSPC and EDQUOT.
 */
export function isDiskFull(error: unknown): boolean {
  const raw = error instanceof FerryError ? error.cause : error;
  const osCode = raw instanceof Error ? (raw as { code?: unknown }).code : undefined;
  return typeof osCode === "string" && DISK_FULL_CODES.has(osCode);
}

function classify(error: unknown): readonly [ErrorCode, string] {
  if (error instanceof Deno.errors.NotCapable) {
    // The sandbox refused: the server is misconfigured, the client is not at fault.
    return ["internal", "the server lacks a permission it needs"];
  }
  if (error instanceof Error) {
    const osCode = (error as { code?: unknown }).code;
    if (typeof osCode === "string") {
      const known = BY_OS_CODE[osCode];
      if (known !== undefined) return known;
    }
    if (error instanceof Deno.errors.NotFound) return ["not_found", "no such file or folder"];
    if (error instanceof Deno.errors.AlreadyExists) return ["exists", "it already exists"];
    if (error instanceof Deno.errors.IsADirectory) return ["is_directory", "it is a folder"];
    if (error instanceof Deno.errors.NotADirectory) {
      return ["not_directory", "a part of the path is not a folder"];
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      return ["denied", "the server's file system refused access"];
    }
  }
  return ["internal", "unexpected file system error"];
}
