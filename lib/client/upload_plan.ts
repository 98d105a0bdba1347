/**
 * Planning `put`: the arguments become upload jobs. Where each copy goes
 * follows `planCopy` (copy_plan.ts, docs/CLI.md); local patterns expand
 * here, folders (with `recursive`) are walked, and the remote folders the
 * jobs need are made on the server before any file goes.
 *
 * @module
 */

import { posix } from "node:path";
import { FerryError, isFerryError } from "../core/errors.ts";
import type { Job, Outcome } from "./batch.ts";
import { planCopy } from "./copy_plan.ts";
import type { FerryClient } from "./ferry_client.ts";
import { walkLocalTree } from "./local_tree.ts";
import { expandLocal, hasGlob } from "./path_glob.ts";
import { joinLocal, localKind } from "./plan_paths.ts";
import { joinRemotePath } from "../core/remote_path.ts";
import { ensureRemoteDir, ensureRemotePath } from "./remote_tree.ts";

/** What a `put` is planned with. */
export interface UploadPlanOptions {
  /** The remote path a remote argument names (the shell's current folder applied). */
  resolveRemote(arg: string): string;
  /** Copy folders with their contents (`-r`); else a folder source is refused. */
  recursive: boolean;
  /** The bytes a file of `size` bytes sends (`--encrypt` sends more). @default {the size} */
  sentSize?(size: number): number;
}

/** A planned `put`. */
export interface UploadPlan {
  /** The files to upload, in order. */
  jobs: Job[];
  /**
   * For a file saved under a name given (`put a.txt docs`): the path inside
   * that name, should it be a remote folder after all (the file then goes
   * into it, as in sftp). See {@linkcode uploadIntoFolderOnce}.
   */
  intoFolder: Map<Job, string>;
  /** Entries of walked folders that are not uploaded, a line each (`Skipped "x": why`). */
  notes: string[];
}

/** What the server has at `path` (`unknown`: the user may not look). */
async function remoteKind(
  client: FerryClient,
  path: string,
): Promise<"file" | "dir" | "none" | "unknown"> {
  try {
    return (await client.stat(path)).kind;
  } catch (error) {
    if (isFerryError(error, "not_found")) return "none";
    if (isFerryError(error, "denied")) return "unknown";
    throw error;
  }
}

/**
 * Plans `put ARGS...` and makes the remote folders it needs: the folder
 * copied into (when it is to be made), and every folder of a tree.
 *
 * @param client The connected client.
 * @param args The local sources and, maybe, the remote destination.
 * @returns The jobs; nothing is uploaded yet.
 * @throws {FerryError} `local_io` for a missing source, `usage` for a folder without `recursive`
 *   and for arguments `planCopy` refuses.
 */
export async function planUpload(
  client: FerryClient,
  args: string[],
  options: UploadPlanOptions,
): Promise<UploadPlan> {
  const { resolveRemote } = options;
  const sentSize = options.sentSize ?? ((size: number): number => size);
  const plan = await planCopy("put", args, {
    expand: async (arg) => hasGlob(arg) ? await expandLocal(arg) : [arg],
    destinationKind: (path) => remoteKind(client, resolveRemote(path)),
    // Outside the sandbox (`put a /b`) it could not be uploaded anyway: not a source.
    localExists: async (path) => await localKind(path).catch(() => undefined) !== undefined,
    remoteSpelling: (path) => `/${resolveRemote(path)}`,
  });
  const { destination } = plan;
  const folder = destination.kind === "into"
    ? resolveRemote(destination.folder)
    : resolveRemote("");
  if (destination.kind === "into" && destination.make) await ensureRemotePath(client, folder);
  const result: UploadPlan = { jobs: [], intoFolder: new Map(), notes: [] };
  for (const source of plan.sources) {
    const kind = await localKind(source);
    if (kind === undefined) {
      throw new FerryError("local_io", `Cannot upload "${source}": no such file or folder`);
    }
    const name = posix.basename(source);
    const target = destination.kind === "as"
      ? resolveRemote(destination.path)
      : joinRemotePath(folder, name);
    if (kind === "file") {
      const job = { local: source, remote: target, size: sentSize((await Deno.stat(source)).size) };
      result.jobs.push(job);
      if (destination.kind === "as") result.intoFolder.set(job, joinRemotePath(target, name));
      continue;
    }
    if (!options.recursive) {
      throw new FerryError("usage", `Cannot upload "${source}": it is a folder (use -r)`);
    }
    const tree = await walkLocalTree(source);
    await ensureRemoteDir(client, target);
    for (const dir of tree.dirs) await ensureRemoteDir(client, joinRemotePath(target, dir));
    for (const file of tree.files) {
      result.jobs.push({
        local: joinLocal(source, file.rel),
        remote: joinRemotePath(target, file.rel),
        size: sentSize(file.size),
      });
    }
    for (const skipped of tree.skipped) {
      result.notes.push(`Skipped "${joinLocal(source, skipped.rel)}": ${skipped.reason}`);
    }
  }
  return result;
}

/**
 * Runs `upload` for a planned job; when the server says its remote name is
 * a folder and the plan has a path inside it, moves the job there and runs
 * it once more (`put a.txt docs` with `docs` a folder: `docs/a.txt`).
 *
 * @param plan The plan the job is from.
 * @param job The job (its `remote` changes when it moves into the folder).
 * @param upload Uploads a job.
 * @returns What the upload returned.
 */
export async function uploadIntoFolderOnce(
  plan: UploadPlan,
  job: Job,
  upload: (job: Job) => Promise<Outcome>,
): Promise<Outcome> {
  try {
    return await upload(job);
  } catch (error) {
    const inside = plan.intoFolder.get(job);
    if (inside === undefined || !isFerryError(error, "is_directory")) throw error;
    job.remote = inside;
    return await upload(job);
  }
}
