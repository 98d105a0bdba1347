/**
 * Listing a local folder for {@linkcode LocalStorage.list}.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { statKind, toEntry } from "./entry_info.ts";
import { fsError } from "../local_fs/fs_error.ts";
import type { Jail } from "./jail.ts";
import { isValidSegment, joinRemote, quotePath } from "../core/remote_path.ts";
import type { RemotePath } from "../core/remote_path.ts";
import type { Entry } from "./storage.ts";

/**
 * Streams the files and folders in a folder, one `Deno.readDir` entry at a
 * time (never the whole folder in memory).
 *
 * Left out, silently: symbolic links that dangle or lead outside the shared
 * folder, anything that is neither a regular file nor a folder, names that a
 * client could not send back (see {@linkcode isValidSegment}; this includes
 * names that are not valid UTF-8, which Deno reports with U+FFFD), and
 * entries that vanish while being listed. A link inside the shared folder is
 * described by what it leads to.
 *
 * @example Listing the root
 * ```ts
 * import { Jail } from "./jail.ts";
 * import { listDirectory } from "./local_list.ts";
 * import assert from "node:assert/strict";
 * const root = await Deno.realPath(await Deno.makeTempDir());
 * await Deno.writeTextFile(`${root}/a.txt`, "hi");
 * const entries = await Array.fromAsync(listDirectory(new Jail(root), ""));
 * assert.deepEqual(entries.map((e) => [e.name, e.kind, e.size]), [["a.txt", "file", 2]]);
 * await Deno.remove(root, { recursive: true });
 * ```
 *
 * @param jail The jail of the shared folder.
 * @param path The folder to list.
 * @returns The entries, in no particular order.
 * @throws {FerryError} At the first iteration: `not_found`, `invalid_path`, or
 * `not_directory` when `path` is a file.
 */
export async function* listDirectory(jail: Jail, path: RemotePath): AsyncGenerator<Entry> {
  const action = `Cannot list ${quotePath(path)}`;
  const real = jail.resolveExisting(path, action);
  let entries: AsyncIterator<Deno.DirEntry>;
  try {
    if (statKind(real, action).isFile) {
      throw new FerryError("not_directory", `${action}: it is not a folder`);
    }
    entries = Deno.readDir(real)[Symbol.asyncIterator]();
  } catch (error) {
    throw fsError(error, action);
  }
  while (true) {
    let next: IteratorResult<Deno.DirEntry>;
    try {
      next = await entries.next();
    } catch (error) {
      throw fsError(error, action);
    }
    if (next.done === true) return;
    const entry = describe(jail, path, real, next.value);
    if (entry !== undefined) yield entry;
  }
}

/** Stats one listed item, synchronously like the jail (see jail.ts). */
function describe(
  jail: Jail,
  dir: RemotePath,
  dirReal: string,
  item: Deno.DirEntry,
): Entry | undefined {
  if (!isValidSegment(item.name)) return undefined;
  try {
    const info = item.isSymlink
      ? Deno.statSync(jail.resolveExisting(joinRemote(dir, item.name)))
      : Deno.lstatSync(`${dirReal}/${item.name}`);
    if (!info.isFile && !info.isDirectory) return undefined;
    return toEntry(item.name, info);
  } catch {
    return undefined;
  }
}
