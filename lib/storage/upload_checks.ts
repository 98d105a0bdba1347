/**
 * The checks every back end makes before it accepts an upload, so that they
 * read the same everywhere.
 *
 * @module
 */

import { FerryError } from "../errors.ts";
import { quotePath, type RemotePath } from "./remote_path.ts";
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
