/**
 * Builds protocol {@linkcode Entry} values from `Deno.FileInfo`, and stats
 * only what may be served: regular files and folders.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { fsError } from "../local_fs/fs_error.ts";
import type { Entry } from "./storage.ts";

/**
 * Describes a file or folder for the protocol.
 *
 * @example A folder
 * ```ts
 * import { toEntry } from "./entry_info.ts";
 * import assert from "node:assert/strict";
 * const entry = toEntry("tmp", await Deno.stat(Deno.cwd()));
 * assert.equal(entry.kind, "dir");
 * assert.equal(entry.size, 0);
 * ```
 *
 * @param name The last segment of its path (`""` for the root).
 * @param info What `Deno.stat` said about it; must be a file or a folder.
 * @returns The entry: size 0 for folders, mtime 0 when unknown.
 */
export function toEntry(name: string, info: Deno.FileInfo): Entry {
  const isDir = info.isDirectory;
  return {
    name,
    kind: isDir ? "dir" : "file",
    size: isDir ? 0 : info.size,
    mtime: info.mtime?.getTime() ?? 0,
  };
}

/**
 * Stats an absolute path that must be a regular file or a folder.
 *
 * @param real An absolute path already resolved by the jail.
 * @param action The start of an error message, such as `Cannot stat "a"`.
 * @returns What `Deno.stat` says about it.
 * @throws {FerryError} A mapped file system error, or `not_found` for a
 * special file (a pipe, socket or device is never served).
 */
export function statKind(real: string, action: string): Deno.FileInfo {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(real); // synchronous, like the jail's calls (see jail.ts)
  } catch (error) {
    throw fsError(error, action);
  }
  if (!info.isFile && !info.isDirectory) {
    throw new FerryError("not_found", `${action}: it is not a regular file or folder`);
  }
  return info;
}
