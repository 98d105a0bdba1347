/**
 * Planning `get`: the arguments become download jobs. Where each copy goes
 * follows `planCopy` (copy_plan.ts, docs/CLI.md); remote patterns expand
 * against the server's listings, remote folders (with `recursive`) are
 * walked, and the local folders the jobs need are made before any file
 * comes. After the files, {@linkcode restoreFolderTimes} gives the folders
 * the server's times.
 *
 * @module
 */

import type { Entry } from "../core/entry.ts";
import { FerryError } from "../core/errors.ts";
import type { Job } from "./batch.ts";
import { planCopy } from "./copy_plan.ts";
import type { FerryClient } from "./ferry_client.ts";
import { localError } from "./local_files.ts";
import { expandRemote, hasGlob } from "./path_glob.ts";
import { joinLocal, localKind } from "./plan_paths.ts";
import { baseName, joinRemotePath } from "../core/remote_path.ts";
import { walkRemoteTree } from "./remote_tree.ts";

/** What a `get` is planned with. */
export interface DownloadPlanOptions {
  /** The remote path a remote argument names (the shell's current folder applied). */
  resolveRemote(arg: string): string;
  /** Copy folders with their contents (`-r`); else a folder source is refused. */
  recursive: boolean;
}

/** A local folder a download made, with the server's time for it. */
export interface PlannedFolder {
  /** The local path. */
  path: string;
  /** The remote folder's mtime (ms; 0: unknown). */
  mtime: number;
}

/** A planned `get`. */
export interface DownloadPlan {
  /** The files to download, in order (`encrypted` as the server marked them). */
  jobs: Job[];
  /** The local folders made for the jobs, parents first. */
  folders: PlannedFolder[];
  /** Whether the server marked any of the files as encrypted. */
  encrypted: boolean;
}

async function makeLocalDir(path: string): Promise<void> {
  await Deno.mkdir(path, { recursive: true }).catch((error) => {
    throw localError(error, path);
  });
}

/**
 * Plans `get ARGS...` and makes the local folders it needs.
 *
 * @param client The connected client.
 * @param args The remote sources and, maybe, the local destination.
 * @returns The jobs; nothing is downloaded yet.
 * @throws {FerryError} `usage` for a folder without `recursive` and for arguments `planCopy`
 *   refuses; `not_found` for a missing source.
 */
export async function planDownload(
  client: FerryClient,
  args: string[],
  options: DownloadPlanOptions,
): Promise<DownloadPlan> {
  const { resolveRemote } = options;
  const listed = new Map<string, Entry>(); // what pattern matches already told
  const plan = await planCopy("get", args, {
    expand: async (arg) => {
      const remote = resolveRemote(arg);
      if (!hasGlob(remote)) return [arg];
      const matches = await expandRemote(client, remote);
      for (const match of matches) listed.set(match.path, match.entry);
      return matches.map((match) => `/${match.path}`);
    },
    destinationKind: async (path) => await localKind(path) ?? "none",
  });
  const { destination } = plan;
  const base = destination.kind === "into" ? destination.folder : ".";
  if (destination.kind === "into" && destination.make) await makeLocalDir(base);
  const jobs: Job[] = [];
  const folders: PlannedFolder[] = [];
  let encrypted = false;
  for (const source of plan.sources) {
    const remote = resolveRemote(source);
    const entry = listed.get(remote) ?? await client.stat(remote);
    const name = baseName(remote) || "root";
    let target = destination.kind === "as" ? destination.path : joinLocal(base, name);
    if (entry.kind === "file") {
      if (destination.kind === "as" && await localKind(target) === "dir") {
        target = joinLocal(target, name);
      }
      jobs.push({ local: target, remote, size: entry.size, encrypted: entry.encrypted === true });
      encrypted ||= entry.encrypted === true;
      continue;
    }
    if (!options.recursive) {
      throw new FerryError("usage", `Cannot download "${source}": it is a folder (use -r)`);
    }
    const tree = await walkRemoteTree(client, remote);
    for (const dir of [{ rel: "", mtime: entry.mtime }, ...tree.dirs]) {
      const path = dir.rel === "" ? target : joinLocal(target, dir.rel);
      await makeLocalDir(path);
      folders.push({ path, mtime: dir.mtime });
    }
    for (const file of tree.files) {
      jobs.push({
        local: joinLocal(target, file.rel),
        remote: joinRemotePath(remote, file.rel),
        size: file.size,
        encrypted: file.encrypted === true,
      });
      encrypted ||= file.encrypted === true;
    }
  }
  return { jobs, folders, encrypted };
}

/**
 * Gives the folders a download made the server's times, deepest first (so
 * writing into a child does not move its parent's time again). A folder
 * whose time cannot be set keeps its own: the files are what counts.
 */
export async function restoreFolderTimes(folders: readonly PlannedFolder[]): Promise<void> {
  for (const folder of [...folders].reverse()) {
    if (folder.mtime > 0) {
      const when = new Date(folder.mtime);
      await Deno.utime(folder.path, when, when).catch(() => {});
    }
  }
}
