/**
 * Where a committed upload goes: the file's own key, or with "keep both"
 * the first free `name (n).ext` beside it, after the checks that the local
 * folder makes at commit (the folder exists, no folder has the name, no
 * file unless overwriting).
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { keepBothName, MAX_KEEP_BOTH } from "../../local_fs/keep_both_name.ts";
import { baseName, joinRemote, parentOf, quotePath } from "../../core/remote_path.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { UploadOptions } from "../storage.ts";
import type { S3Context } from "./s3_context.ts";
import { completeMultipartUpload, uploadPart } from "./s3_multipart.ts";
import { findEntry, requireParent } from "./s3_tree.ts";
import type { UploadRecord } from "./upload_state.ts";

/**
 * Checks the target of a commit and picks its key.
 *
 * A multipart upload's key is fixed when it starts (see
 * {@linkcode multipartKey}), so "keep both" picks a free name then; a file
 * sent with one PUT picks it now.
 *
 * @param ctx The storage's context.
 * @param path The remote path being written.
 * @param options The upload's options.
 * @param record The upload's record (its key and upload id).
 * @param action The start of an error message.
 * @returns The key to write.
 * @throws {FerryError} `not_found`/`not_directory` for the parent folder,
 * `is_directory`, or `exists`.
 */
export async function placeUpload(
  ctx: S3Context,
  path: RemotePath,
  options: UploadOptions,
  record: UploadRecord,
  action: string,
): Promise<string> {
  await requireParent(ctx, path, action);
  const found = await findEntry(ctx, path);
  if (found?.kind === "dir") {
    throw new FerryError("is_directory", `${action}: a folder with that name exists`);
  }
  const own = ctx.keys.file(path);
  if (record.key !== own) {
    // A "keep both" name chosen when the multipart upload started.
    if (await ctx.client.head(record.key) === undefined) return record.key;
    throw new FerryError("exists", `${action}: a file with that name exists`);
  }
  if (found === undefined || options.overwrite) return own;
  if (options.keepBoth && record.uploadId === undefined) {
    return ctx.keys.file(await freeName(ctx, path));
  }
  throw new FerryError("exists", `${action}: a file with that name exists`);
}

/**
 * The key a multipart upload starts with: the file's own, or with "keep
 * both" (and no overwrite) the first free name when the file exists.
 *
 * @param ctx The storage's context.
 * @param path The remote path being written.
 * @param options The upload's options.
 * @returns The key.
 */
export async function multipartKey(
  ctx: S3Context,
  path: RemotePath,
  options: UploadOptions,
): Promise<string> {
  if (options.keepBoth && !options.overwrite && await findEntry(ctx, path) !== undefined) {
    return ctx.keys.file(await freeName(ctx, path));
  }
  return ctx.keys.file(path);
}

/**
 * Makes the object appear, whole: a file that never needed a part is sent
 * with one PUT (conditional on absence unless overwriting); otherwise the
 * last part is sent and CompleteMultipartUpload assembles the object, which
 * is then copied onto itself to add the SHA-256 (a multipart upload's
 * metadata is fixed when it starts, before the hash is known; RGW only
 * rewrites the attributes, and a failure there leaves the file committed
 * without the stored hash).
 *
 * @param ctx The storage's context.
 * @param record The upload's record (its parts; the last one is added).
 * @param key The key to write.
 * @param last The bytes after the recorded parts.
 * @param metadata The object's headers, with `x-amz-meta-sha256`.
 * @param options The upload's options.
 * @returns `false` when a file appeared at the key meanwhile (single PUT
 * without overwrite), `true` once the object is in place.
 */
export async function writeObject(
  ctx: S3Context,
  record: UploadRecord,
  key: string,
  last: Uint8Array,
  metadata: Record<string, string>,
  options: UploadOptions,
): Promise<boolean> {
  const { client } = ctx;
  if (record.uploadId === undefined) {
    const conditional = options.overwrite ? {} : { "if-none-match": "*" };
    return await client.put(key, last, { ...metadata, ...conditional }) !== undefined;
  }
  const number = record.parts.length + 1;
  const etag = await uploadPart(client, key, record.uploadId, number, last, ctx.config.signParts);
  const parts = [...record.parts, { number, size: last.byteLength, etag }];
  await completeMultipartUpload(client, key, record.uploadId, parts);
  await client.copy(key, key, { "x-amz-metadata-directive": "REPLACE", ...metadata })
    .catch(() => {});
  return true;
}

/** The first `name (n).ext` beside `path` where nothing exists. */
async function freeName(ctx: S3Context, path: RemotePath): Promise<RemotePath> {
  const folder = parentOf(path);
  const name = baseName(path);
  for (let n = 1; n <= MAX_KEEP_BOTH; n++) {
    const candidate = joinRemote(folder, keepBothName(name, n));
    if (await findEntry(ctx, candidate) === undefined) return candidate;
  }
  throw new FerryError("exists", `Cannot keep both copies of ${quotePath(name)}: too many exist`);
}
