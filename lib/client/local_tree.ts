/**
 * Walks a local folder for `put -r`: folders (parents first, empty ones
 * included) and files; symbolic links are not followed, and reported.
 *
 * @module
 */

import { localError } from "./local_files.ts";

/** A local tree, paths relative to its root, `/`-separated. */
export interface LocalTree {
  /** Every folder below the root, parents before children. */
  dirs: string[];
  /** Every regular file. */
  files: { rel: string; size: number }[];
  /** What was left out, and why. */
  skipped: { rel: string; reason: string }[];
}

/**
 * Walks `root` (not following symbolic links).
 *
 * @throws {FerryError} `local_io` when `root` cannot be read.
 */
export async function walkLocalTree(root: string): Promise<LocalTree> {
  const tree: LocalTree = { dirs: [], files: [], skipped: [] };
  const pending = [""];
  while (pending.length > 0) {
    const rel = pending.shift() as string;
    const dir = rel === "" ? root : `${root}/${rel}`;
    const names: Deno.DirEntry[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) names.push(entry);
    } catch (error) {
      throw localError(error, dir);
    }
    names.sort((a, b) => a.name < b.name ? -1 : 1);
    for (const entry of names) {
      const child = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isSymlink) {
        tree.skipped.push({ rel: child, reason: "symbolic link (not followed)" });
      } else if (entry.isDirectory) {
        tree.dirs.push(child);
        pending.push(child);
      } else if (entry.isFile) {
        const info = await Deno.lstat(`${root}/${child}`).catch((error) => {
          throw localError(error, `${root}/${child}`);
        });
        tree.files.push({ rel: child, size: info.size });
      } else {
        tree.skipped.push({ rel: child, reason: "not a regular file" });
      }
    }
  }
  return tree;
}
