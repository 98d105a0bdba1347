/**
 * Walks a remote folder for `get -r`, page by page, and makes remote
 * folders for `put -r`.
 *
 * @module
 */

import { FerryError, isFerryError } from "../core/errors.ts";
import { joinRemotePath } from "../core/remote_path.ts";
import type { FerryClient } from "./ferry_client.ts";

/** A remote tree, paths relative to its root. */
export interface RemoteTree {
  /** Every folder below the root, parents first, with its mtime. */
  dirs: { rel: string; mtime: number }[];
  /** Every file (`encrypted` when the server saw the encrypted-file magic). */
  files: { rel: string; size: number; mtime: number; encrypted?: true }[];
}

/**
 * Walks the remote folder `root`.
 *
 * @throws {FerryError} `not_directory` when `root` is a file.
 */
export async function walkRemoteTree(client: FerryClient, root: string): Promise<RemoteTree> {
  const top = await client.stat(root);
  if (top.kind !== "dir") {
    throw new FerryError("not_directory", `Cannot copy "${root}": it is not a folder`);
  }
  const tree: RemoteTree = { dirs: [], files: [] };
  const pending = [""];
  while (pending.length > 0) {
    const rel = pending.shift() as string;
    for await (const page of client.listPages(joinRemotePath(root, rel))) {
      for (const entry of page) {
        const child = joinRemotePath(rel, entry.name);
        if (entry.kind === "dir") {
          tree.dirs.push({ rel: child, mtime: entry.mtime });
          pending.push(child);
        } else {
          tree.files.push({
            rel: child,
            size: entry.size,
            mtime: entry.mtime,
            ...(entry.encrypted ? { encrypted: true as const } : {}),
          });
        }
      }
    }
  }
  return tree;
}

/**
 * Makes a remote folder; one that exists already is fine (like `mkdir -p`
 * for the last segment). A user who may not look (no `list` permission: a
 * drop box) takes an existing name for a folder: uploads into a file fail
 * on their own.
 *
 * @throws {FerryError} `exists` when a file has that name.
 */
export async function ensureRemoteDir(client: FerryClient, path: string): Promise<void> {
  try {
    await client.mkdir(path);
  } catch (error) {
    if (!isFerryError(error, "exists")) throw error;
    let kind: string;
    try {
      kind = (await client.stat(path)).kind;
    } catch (error) {
      if (isFerryError(error, "denied")) return;
      throw error;
    }
    if (kind !== "dir") {
      throw new FerryError("exists", `Cannot make folder "${path}": a file has that name`);
    }
  }
}

/** Makes a remote folder and its missing parents (`mkdir -p`). */
export async function ensureRemotePath(client: FerryClient, path: string): Promise<void> {
  const segments = path.split("/").filter(Boolean);
  for (let i = 1; i <= segments.length; i++) {
    await ensureRemoteDir(client, segments.slice(0, i).join("/"));
  }
}
