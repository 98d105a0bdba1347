/**
 * Client-side remote path arithmetic for the shell's `cd`: `..` and `.` are
 * resolved here against the current remote folder, so what reaches the
 * server is a plain path (the server refuses `..` outright).
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";

/**
 * Resolves `path` against the remote folder `cwd` (`""` is the root; a
 * leading `/` starts from the root).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveRemote } from "./remote_cwd.ts";
 * assert.equal(resolveRemote("a/b", "../c"), "a/c");
 * assert.equal(resolveRemote("a", "/x/./y"), "x/y");
 * assert.equal(resolveRemote("a", ".."), "");
 * ```
 *
 * @throws {FerryError} `invalid_path` when `..` climbs above the root.
 */
export function resolveRemote(cwd: string, path: string): string {
  const segments = path.startsWith("/") ? [] : cwd.split("/").filter(Boolean);
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") {
      segments.push(segment);
    } else if (segments.pop() === undefined) {
      throw new FerryError(
        "invalid_path",
        `Cannot use "${path}": ".." leads above the root folder`,
      );
    }
  }
  return segments.join("/");
}

/** The last segment of a local or remote path (trailing slashes ignored). */
export function lastSegment(path: string): string {
  return path.replace(/\/+$/, "").split("/").at(-1) ?? "";
}
