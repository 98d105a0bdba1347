/**
 * Where an upload starts: a matching partial upload resumed from its record
 * (its parts checked with ListParts, its hash state and tail loaded), or a
 * fresh record after discarding any earlier one.
 *
 * @module
 */

import type { RemotePath } from "../../core/remote_path.ts";
import type { UploadOptions } from "../storage.ts";
import type { S3Context } from "./s3_context.ts";
import { MIN_PART_SIZE, partSizeFor } from "./s3_config.ts";
import { listParts } from "./s3_multipart.ts";
import { SavableSha256 } from "./sha256_state.ts";
import { discardUpload, readUploadRecord } from "./upload_state.ts";
import type { UploadRecord } from "./upload_state.ts";

/** How an upload starts. */
export interface UploadStart {
  /** The record: resumed, or fresh (not yet written). */
  record: UploadRecord;
  /** The hash of everything before the offset. */
  hasher: SavableSha256;
  /** The resumed tail's bytes, to fill the first part buffer with. */
  tail: Uint8Array | undefined;
}

/**
 * Resumes the partial upload of `path` when asked and possible, else
 * discards it and starts afresh.
 *
 * A partial upload is resumed only when its size and modification time
 * match, the store still holds every recorded part with the recorded ETag
 * and size, and (for its tail) the tail object is the recorded one; when
 * only the tail does not match, the upload resumes at its last part.
 *
 * @param ctx The storage's context.
 * @param path The remote path.
 * @param options The upload's options.
 * @returns The record, the hash and the tail.
 */
export async function prepareUpload(
  ctx: S3Context,
  path: RemotePath,
  options: UploadOptions,
): Promise<UploadStart> {
  const earlier = await readUploadRecord(ctx, path);
  if (options.resume && earlier !== undefined && matches(ctx, earlier, options)) {
    const resumed = await resume(ctx, earlier);
    if (resumed !== undefined) return resumed;
  }
  if (earlier !== undefined) await discardUpload(ctx, earlier);
  const hasher = await SavableSha256.create();
  const record: UploadRecord = {
    version: 1,
    path,
    size: options.size,
    ...(options.mtime === undefined ? {} : { mtime: options.mtime }),
    createdAt: Date.now(),
    partSize: partSizeFor(options.size, ctx.config.partSize),
    key: ctx.keys.file(path),
    parts: [],
    hash: hasher.save(),
  };
  return { record, hasher, tail: undefined };
}

function matches(ctx: S3Context, record: UploadRecord, options: UploadOptions): boolean {
  const sent = record.parts.length * record.partSize + (record.tail?.size ?? 0);
  return record.size === options.size && record.mtime === options.mtime &&
    record.partSize >= MIN_PART_SIZE && sent <= record.size &&
    record.key.startsWith(ctx.keys.filesPrefix) &&
    record.parts.every((part) => part.size === record.partSize) &&
    (record.tail === undefined || record.tail.size <= record.partSize);
}

async function resume(ctx: S3Context, record: UploadRecord): Promise<UploadStart | undefined> {
  if (record.uploadId === undefined) {
    if (record.parts.length > 0) return undefined;
  } else {
    const held = await listParts(ctx.client, record.key, record.uploadId);
    if (held === undefined) return undefined;
    for (const part of record.parts) {
      const stored = held.get(part.number);
      if (stored?.etag !== part.etag || stored.size !== part.size) return undefined;
    }
  }
  const { tail, ...rest } = record;
  const got = tail === undefined
    ? undefined
    : await ctx.client.getBytes(ctx.keys.upload(record.path).tail);
  try {
    if (tail !== undefined && got?.bytes.byteLength === tail.size && got.head.etag === tail.etag) {
      return { record: rest, hasher: await SavableSha256.create(tail.hash), tail: got.bytes };
    }
    return { record: rest, hasher: await SavableSha256.create(record.hash), tail: undefined };
  } catch {
    // A hash state that does not load is not ours to resume.
    return undefined;
  }
}
