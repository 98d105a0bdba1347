/**
 * Which download targets are free before a `get` starts, found with one
 * folder listing per folder instead of two failed lookups per file.
 *
 * @module
 */

import { PARTIAL_SUFFIX } from "./local_files.ts";

/**
 * Lists each folder that holds one of `paths` once, and returns the paths
 * at which neither a file nor a partial download (`NAME.ferry-part`) exists.
 * A download to such a path needs no local checks before it starts: a file
 * that appears meanwhile is still never replaced (it is placed with a hard
 * link, which fails when the name is taken). A folder that cannot be listed
 * frees nothing, so its paths get the usual checks.
 *
 * @example
 * ```ts
 * import { freeTargets } from "./local_names.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/taken.txt`, "x");
 * const free = freeTargets([`${dir}/taken.txt`, `${dir}/new.txt`]);
 * assert.deepEqual([...free], [`${dir}/new.txt`]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @param paths Local download targets (relative to the working folder or absolute).
 * @returns The ones known to be free.
 */
export function freeTargets(paths: readonly string[]): Set<string> {
  const byFolder = new Map<string, string[]>();
  for (const path of paths) {
    const slash = path.lastIndexOf("/");
    const folder = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
    const inFolder = byFolder.get(folder);
    if (inFolder) inFolder.push(path);
    else byFolder.set(folder, [path]);
  }
  const free = new Set<string>();
  for (const [folder, inFolder] of byFolder) {
    const names = namesIn(folder);
    if (names === undefined) continue;
    for (const path of inFolder) {
      const name = path.slice(path.lastIndexOf("/") + 1);
      if (!names.has(name) && !names.has(name + PARTIAL_SUFFIX)) free.add(path);
    }
  }
  return free;
}

/** The names in a folder (one direct listing), or `undefined` when it cannot be read. */
function namesIn(folder: string): Set<string> | undefined {
  try {
    const names = new Set<string>();
    for (const entry of Deno.readDirSync(folder)) names.add(entry.name);
    return names;
  } catch {
    return undefined;
  }
}
