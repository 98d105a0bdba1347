/**
 * Moving a verified upload from its partial file into the shared folder,
 * without ever replacing a file that was not meant to be replaced.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { keepBothName, MAX_KEEP_BOTH } from "./keep_both_name.ts";

/** How an upload takes its place: as a new file, beside a taken name, or over it. */
export type Placement = "new" | "keep-both" | "replace";

/**
 * Moves the verified partial into place and returns where it landed. A new
 * file is hard-linked, so that a file which appeared meanwhile is never
 * replaced; "keep both" links at the first free `name (n).ext` beside the
 * target; "replace" renames over it. Direct calls, like the jail's (see
 * jail.ts).
 *
 * @param partial The verified partial file.
 * @param target Where it goes (its folder resolved by the jail).
 * @param how See {@linkcode Placement}.
 * @returns Where it landed.
 * @throws {Deno.errors.AlreadyExists} For a new file whose name was taken meanwhile.
 * @throws {FerryError} `exists` when no keep-both name is free.
 */
export function placeUpload(partial: string, target: string, how: Placement): string {
  if (how === "replace") Deno.renameSync(partial, target);
  if (how === "new") Deno.linkSync(partial, target); // AlreadyExists: someone was faster
  if (how !== "keep-both") return target;
  const slash = target.lastIndexOf("/");
  const folder = target.slice(0, slash);
  const name = target.slice(slash + 1);
  for (let n = 0; n <= MAX_KEEP_BOTH; n++) {
    const candidate = n === 0 ? target : `${folder}/${keepBothName(name, n)}`;
    try {
      Deno.linkSync(partial, candidate);
      return candidate;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
  throw new FerryError("exists", `Cannot keep both copies of "${name}": too many copies exist`);
}
