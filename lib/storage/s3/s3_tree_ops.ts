/**
 * Whole-folder operations, which S3 cannot do atomically: removing and
 * moving everything below a prefix, and sweeping stale partial uploads.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { PartialUpload } from "../storage.ts";
import type { LeaseLocks } from "./lease_locks.ts";
import type { S3Context } from "./s3_context.ts";
import { deleteBelow, findEntry, keysBelow, mapLimit, requireParent } from "./s3_tree.ts";
import type { Found } from "./s3_tree.ts";
import { quotePath } from "../../core/remote_path.ts";
import { discardUpload, heldBytes, parseUploadRecord, readUploadRecord } from "./upload_state.ts";

/**
 * Removes a folder's marker, and with `recursive` everything below it first
 * (DeleteObjects, 1000 keys a request). Not atomic: a failure halfway leaves
 * part of the contents, and the folder (its marker goes last), in place.
 *
 * @param ctx The storage's context.
 * @param path The folder (not the root).
 * @param recursive Remove the contents too.
 * @param action The start of an error message.
 * @throws {FerryError} `not_empty` when the folder has contents and
 * `recursive` is off.
 */
export async function removeFolder(
  ctx: S3Context,
  path: RemotePath,
  recursive: boolean,
  action: string,
): Promise<void> {
  const prefix = ctx.keys.folder(path);
  if (!recursive) {
    const page = await ctx.client.list(prefix, { maxKeys: 2 });
    if (page.objects.some((object) => object.key !== prefix)) {
      throw new FerryError("not_empty", `${action}: the folder is not empty`);
    }
    await ctx.client.delete(prefix);
    return;
  }
  await deleteBelow(ctx, prefix, prefix);
}

/** What {@linkcode moveEntry} moves, and how. */
export interface MoveRequest {
  /** The source path. */
  from: RemotePath;
  /** The destination path (not inside `from`, not above it). */
  to: RemotePath;
  /** What the source is. */
  source: NonNullable<Found>;
  /** Replace an existing file at `to`. */
  overwrite: boolean;
  /** The start of an error message. */
  action: string;
}

/**
 * Moves a file (a server-side copy keeping its metadata, then a delete of
 * the source) or a folder ({@linkcode moveFolder}) after the checks of the
 * local folder: the destination's folder exists, only a file replaces a
 * file, and only with `overwrite`.
 *
 * @param ctx The storage's context.
 * @param move The paths, the source and the options.
 * @throws {FerryError} `not_found`, `not_directory`, `exists`, `is_directory`.
 */
export async function moveEntry(ctx: S3Context, move: MoveRequest): Promise<void> {
  const { from, to, source, action } = move;
  await requireParent(ctx, to, action);
  const target = await findEntry(ctx, to);
  if (target !== undefined) {
    if (!move.overwrite) {
      throw new FerryError("exists", `${action}: ${quotePath(to)} already exists`);
    }
    if (target.kind === "dir") {
      throw new FerryError("is_directory", `${action}: the destination is a folder`);
    }
    if (source.kind === "dir") {
      throw new FerryError("is_directory", `${action}: a folder cannot replace a file`);
    }
  }
  if (source.kind === "file") {
    await ctx.client.copy(ctx.keys.file(from), ctx.keys.file(to));
    await ctx.client.delete(ctx.keys.file(from));
  } else {
    await moveFolder(ctx, from, to);
  }
}

/**
 * Moves a folder: writes the new marker, then for each page of keys below
 * the old prefix copies every key (server-side, `concurrency` at a time) and
 * deletes the page's originals; the old marker goes last.
 *
 * Not atomic: while it runs, and after a failure halfway, part of the
 * contents is at each place (nothing is lost: every key is copied before its
 * original is deleted, and running the move again finishes it).
 *
 * @param ctx The storage's context.
 * @param from The folder.
 * @param to Its new path (its parent exists, nothing is there).
 */
export async function moveFolder(ctx: S3Context, from: RemotePath, to: RemotePath): Promise<void> {
  const { client, keys } = ctx;
  const source = keys.folder(from);
  const target = keys.folder(to);
  await client.put(target, "", { "content-type": "application/x-directory" });
  let batch: string[] = [];
  async function flush(): Promise<void> {
    await mapLimit(batch, ctx.config.concurrency, (key) => {
      return client.copy(key, `${target}${key.slice(source.length)}`);
    });
    await client.deleteMany(batch);
    batch = [];
  }
  for await (const object of keysBelow(ctx, source)) {
    if (object.key === source) continue;
    batch.push(object.key);
    if (batch.length === ctx.config.pageSize) await flush();
  }
  await flush();
  await client.delete(source);
}

/**
 * Forgets partial uploads whose record is older than `maxAgeMs`, unless
 * their path is leased (being written now).
 *
 * @param ctx The storage's context.
 * @param locks The leases, to skip uploads in progress.
 * @param maxAgeMs The age past which a partial upload is stale.
 * @returns How many were removed.
 */
export async function removeStaleUploads(
  ctx: S3Context,
  locks: LeaseLocks,
  maxAgeMs: number,
): Promise<number> {
  const prefix = `${ctx.config.statePrefix}uploads/`;
  const stale: string[] = [];
  for await (const object of keysBelow(ctx, prefix)) {
    if (object.key.endsWith(".json") && Date.now() - object.lastModified > maxAgeMs) {
      stale.push(object.key);
    }
  }
  let removed = 0;
  for (const key of stale) {
    const path = (await recordAt(ctx, key))?.path;
    if (path === undefined || await locks.isLeased(path)) continue;
    await discardUpload(ctx, await readUploadRecord(ctx, path), path);
    removed++;
  }
  return removed;
}

/**
 * Streams the partial uploads recorded below `PREFIX state/uploads/`, with
 * the bytes their parts and tail hold, except those this server is writing
 * now (an upload of another server sharing the bucket is counted).
 *
 * @param ctx The storage's context.
 * @param locks The storage's leases.
 */
export async function* listUploads(
  ctx: S3Context,
  locks: LeaseLocks,
): AsyncGenerator<PartialUpload> {
  for await (const object of keysBelow(ctx, `${ctx.config.statePrefix}uploads/`)) {
    if (!object.key.endsWith(".json")) continue;
    const found = await recordAt(ctx, object.key);
    if (found === undefined || locks.isLeasedHere(found.path)) continue;
    const record = parseUploadRecord(found.value, found.path);
    if (record !== undefined) yield { path: found.path, bytes: heldBytes(record) };
  }
}

/** The record stored at `key` (parsed JSON) and the path it names, when `key` is that path's. */
async function recordAt(
  ctx: S3Context,
  key: string,
): Promise<{ path: RemotePath; value: unknown } | undefined> {
  const got = await ctx.client.getBytes(key);
  if (got === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(got.bytes));
  } catch {
    return undefined;
  }
  const path = (value as { path?: unknown } | null)?.path;
  return typeof path === "string" && ctx.keys.upload(path).state === key
    ? { path, value }
    : undefined;
}
