/**
 * Files and folders over flat keys: telling what a path is, checking that
 * a parent folder exists, and walking, copying or deleting a whole prefix.
 *
 * A folder exists when its marker (`PREFIX files/a/`) does, or when any key
 * lies below it (a folder made by another S3 tool); ferry always writes the
 * marker, so empty folders stay.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { baseName, parentOf, quotePath } from "../../core/remote_path.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { Entry } from "../storage.ts";
import type { ListedObject, ObjectHead } from "./s3_client.ts";
import type { S3Context } from "./s3_context.ts";

/** What a path is: a file with its HEAD, a folder (with its marker's), or nothing. */
export type Found =
  | { kind: "file"; head: ObjectHead }
  | { kind: "dir"; head: ObjectHead | undefined }
  | undefined;

/** How many keys one DeleteObjects request takes. */
const DELETE_BATCH = 1000;

/**
 * Finds out whether a path is a file, a folder or nothing.
 *
 * @param ctx The storage's context.
 * @param path A normalised remote path.
 * @returns What it is.
 */
export async function findEntry(ctx: S3Context, path: RemotePath): Promise<Found> {
  if (path === "") return { kind: "dir", head: undefined };
  const folder = ctx.keys.folder(path);
  const [file, marker] = await Promise.all([
    ctx.client.head(ctx.keys.file(path)),
    ctx.client.head(folder),
  ]);
  if (file !== undefined) return { kind: "file", head: file };
  if (marker !== undefined) return { kind: "dir", head: marker };
  const page = await ctx.client.list(folder, { maxKeys: 1 });
  return page.objects.length > 0 ? { kind: "dir", head: undefined } : undefined;
}

/**
 * The modification time of a file: the sender's (`x-amz-meta-mtime`) when
 * it gave one, else when the store wrote the object.
 *
 * @param head The object's description.
 * @returns Ms since the epoch.
 */
export function fileMtime(head: ObjectHead): number {
  const sent = Number(head.meta.mtime);
  return head.meta.mtime !== undefined && Number.isFinite(sent) && sent >= 0
    ? sent
    : head.lastModified;
}

/**
 * The protocol entry of something found.
 *
 * @param path Its remote path.
 * @param found What {@linkcode findEntry} returned (not `undefined`).
 * @returns The entry.
 */
export function entryOf(path: RemotePath, found: NonNullable<Found>): Entry {
  const name = baseName(path);
  if (found.kind === "file") {
    return { name, kind: "file", size: found.head.size, mtime: fileMtime(found.head) };
  }
  return { name, kind: "dir", size: 0, mtime: found.head?.lastModified ?? 0 };
}

/**
 * The error for a path that does not exist: `not_directory` when a folder
 * on the way is a file (as the local folder says), else `not_found`.
 *
 * @param ctx The storage's context.
 * @param path A normalised remote path that was not found.
 * @param action The start of an error message.
 * @returns The error to throw.
 */
export async function missing(
  ctx: S3Context,
  path: RemotePath,
  action: string,
): Promise<FerryError> {
  const above: RemotePath[] = [];
  for (let folder = parentOf(path); folder !== ""; folder = parentOf(folder)) above.push(folder);
  const heads = await Promise.all(above.map((folder) => ctx.client.head(ctx.keys.file(folder))));
  if (heads.some((head) => head !== undefined)) {
    return new FerryError("not_directory", `${action}: a part of the path is not a folder`);
  }
  return new FerryError("not_found", `${action}: no such file or folder`);
}

/**
 * Checks that the folder holding `path` exists.
 *
 * @param ctx The storage's context.
 * @param path A normalised remote path other than the root.
 * @param action The start of an error message.
 * @throws {FerryError} `not_found` naming the missing folder, or
 * `not_directory` when it is a file.
 */
export async function requireParent(
  ctx: S3Context,
  path: RemotePath,
  action: string,
): Promise<void> {
  const parent = parentOf(path);
  if (parent === "") return;
  const found = await findEntry(ctx, parent);
  if (found?.kind === "dir") return;
  if (found?.kind === "file") {
    throw new FerryError("not_directory", `${action}: ${quotePath(parent)} is not a folder`);
  }
  throw new FerryError("not_found", `${action}: folder ${quotePath(parent)} does not exist`);
}

/**
 * Streams every key below a prefix, page by page (no delimiter).
 *
 * @param ctx The storage's context.
 * @param prefix The prefix.
 * @returns The objects, in key order.
 */
export async function* keysBelow(ctx: S3Context, prefix: string): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  do {
    const page = await ctx.client.list(prefix, { maxKeys: ctx.config.pageSize, token });
    yield* page.objects;
    token = page.next;
  } while (token !== undefined);
}

/**
 * Deletes every key below a prefix, in batches; `last` (a marker) goes
 * after everything else, so a folder removed halfway still exists.
 *
 * @param ctx The storage's context.
 * @param prefix The prefix.
 * @param last A key to delete at the very end.
 */
export async function deleteBelow(ctx: S3Context, prefix: string, last?: string): Promise<void> {
  let batch: string[] = [];
  for await (const object of keysBelow(ctx, prefix)) {
    if (object.key === last) continue;
    batch.push(object.key);
    if (batch.length === DELETE_BATCH) {
      await ctx.client.deleteMany(batch);
      batch = [];
    }
  }
  await ctx.client.deleteMany(batch);
  if (last !== undefined) await ctx.client.delete(last);
}

/**
 * Runs `task` over `items` with at most `limit` at once, keeping the order
 * of the results.
 *
 * @param items The inputs.
 * @param limit How many run at once.
 * @param task The work.
 * @returns The results, in the order of `items`.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
