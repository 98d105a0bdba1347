/**
 * The checks every back end makes before an upload or a move, so that they
 * read the same everywhere.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { isSameOrInside, quotePath, type RemotePath } from "../core/remote_path.ts";
import type { UploadOptions } from "./storage.ts";

/**
 * Checks an upload's path, size and modification time.
 *
 * @returns The action phrase for further messages (`Cannot write "a/b"`).
 * @throws {FerryError} `bad_request` for a bad size or time, `is_directory`
 *   for the root folder.
 */
export function checkUpload(path: RemotePath, options: UploadOptions): string {
  const action = `Cannot write ${quotePath(path)}`;
  const { size, mtime } = options;
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new FerryError("bad_request", `${action}: size ${size} is not valid`);
  }
  if (mtime !== undefined && !Number.isFinite(mtime)) {
    throw new FerryError("bad_request", `${action}: modification time ${mtime} is not valid`);
  }
  if (path === "") throw new FerryError("is_directory", `${action}: it is the root folder`);
  return action;
}

/**
 * Checks that `from` may move to `to`: neither is the root, and neither
 * contains the other.
 *
 * @returns The action phrase for further messages.
 * @throws {FerryError} `invalid_path` or `exists`.
 */
export function checkRename(from: RemotePath, to: RemotePath): string {
  const action = `Cannot move ${quotePath(from)} to ${quotePath(to)}`;
  if (from === "" || to === "") {
    throw new FerryError("invalid_path", `${action}: the root folder cannot be moved or replaced`);
  }
  if (from !== to && isSameOrInside(to, from)) {
    throw new FerryError("invalid_path", `${action}: a folder cannot move into itself`);
  }
  if (from !== to && isSameOrInside(from, to)) {
    throw new FerryError("exists", `${action}: the destination is a folder that contains it`);
  }
  return action;
}
