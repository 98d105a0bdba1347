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
 * Walks `root` (not following symbolic links). The listing and the size of
 * each file are direct calls: a thousand async `lstat`s cost more than the
 * walk itself (docs/PERFORMANCE.md), and the command waits for the walk anyway.
 *
 * @throws {FerryError} `local_io` when `root` cannot be read.
 */
export function walkLocalTree(root: string): Promise<LocalTree> {
  try {
    return Promise.resolve(walkNow(root));
  } catch (error) {
    return Promise.reject(error);
  }
}

function walkNow(root: string): LocalTree {
  const tree: LocalTree = { dirs: [], files: [], skipped: [] };
  const pending = [""];
  while (pending.length > 0) {
    const rel = pending.shift() as string;
    const dir = rel === "" ? root : `${root}/${rel}`;
    let names: Deno.DirEntry[];
    try {
      names = [...Deno.readDirSync(dir)];
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
        tree.files.push({ rel: child, size: sizeOf(`${root}/${child}`) });
      } else {
        tree.skipped.push({ rel: child, reason: "not a regular file" });
      }
    }
  }
  return tree;
}

function sizeOf(path: string): number {
  try {
    return Deno.lstatSync(path).size;
  } catch (error) {
    throw localError(error, path);
  }
}
