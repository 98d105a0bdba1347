/**
 * Local path helpers of the transfer plans (upload_plan.ts, download_plan.ts).
 *
 * @module
 */

import { localError } from "./local_files.ts";

/** What is on this machine at `path` (`undefined`: nothing). */
export async function localKind(path: string): Promise<"file" | "dir" | undefined> {
  try {
    const info = await Deno.stat(path);
    return info.isDirectory ? "dir" : "file";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw localError(error, path);
  }
}

/**
 * A local path below `dir` (`.` and `""` leave the name as it is).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinLocal } from "./plan_paths.ts";
 * assert.equal(joinLocal(".", "a.txt"), "a.txt");
 * assert.equal(joinLocal("out//", "a.txt"), "out/a.txt");
 * ```
 */
export function joinLocal(dir: string, name: string): string {
  return dir === "" || dir === "." ? name : `${dir.replace(/\/+$/, "")}/${name}`;
}
