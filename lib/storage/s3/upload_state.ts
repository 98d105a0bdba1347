/**
 * The record of an unfinished upload, kept in the bucket
 * (`PREFIX state/uploads/SHA256.json`) so that any server can resume it:
 * the multipart upload's id, the parts sent so far, the saved SHA-256 state
 * after them, and optionally a tail (bytes after the last part, fewer than
 * a part, saved on abort as `SHA256.tail`).
 *
 * @module
 */

import type { RemotePath } from "../../core/remote_path.ts";
import type { UploadedPart } from "./s3_multipart.ts";
import { abortMultipartUpload } from "./s3_multipart.ts";
import type { S3Context } from "./s3_context.ts";

/** Bytes received after the last part, saved in their own object. */
export interface TailRecord {
  /** How many bytes. */
  size: number;
  /** The tail object's ETag. */
  etag: string;
  /** The saved SHA-256 state after the parts and the tail. */
  hash: string;
}

/** What a partial upload is, and how far it got. */
export interface UploadRecord {
  /** The format version. */
  version: 1;
  /** The remote path being written. */
  path: RemotePath;
  /** The announced size. */
  size: number;
  /** The announced modification time, when there was one. */
  mtime?: number;
  /** When the upload started, ms since the epoch. */
  createdAt: number;
  /** The size of every part but the last. */
  partSize: number;
  /** The key the multipart upload writes (the file's, or a "keep both" name). */
  key: string;
  /** The multipart upload's id, once the first part is sent. */
  uploadId?: string;
  /** The parts sent, numbered from 1 without gaps. */
  parts: UploadedPart[];
  /** The saved SHA-256 state after the parts. */
  hash: string;
  /** The saved tail, if any. */
  tail?: TailRecord;
}

// Our own small object; anything bigger is not ours.
const MAX_RECORD_BYTES = 4 * 1024 * 1024;

/**
 * Reads the record of `path`'s partial upload.
 *
 * @param ctx The storage's context.
 * @param path A normalised remote path.
 * @returns The record, or `undefined` when there is none or it is not valid.
 */
export async function readUploadRecord(
  ctx: S3Context,
  path: RemotePath,
): Promise<UploadRecord | undefined> {
  const got = await ctx.client.getBytes(ctx.keys.upload(path).state);
  if (got === undefined || got.bytes.byteLength > MAX_RECORD_BYTES) return undefined;
  try {
    return parseUploadRecord(JSON.parse(new TextDecoder().decode(got.bytes)), path);
  } catch {
    return undefined;
  }
}

/**
 * Writes the record of a partial upload.
 *
 * @param ctx The storage's context.
 * @param record The record.
 */
export async function writeUploadRecord(ctx: S3Context, record: UploadRecord): Promise<void> {
  await ctx.client.put(ctx.keys.upload(record.path).state, JSON.stringify(record), {
    "content-type": "application/json",
  });
}

/**
 * Forgets a partial upload: aborts its multipart upload (freeing the parts)
 * and deletes its tail and its record.
 *
 * @param ctx The storage's context.
 * @param record The record, or `undefined` to delete only what the keys name.
 * @param path The remote path (when there is no record).
 */
export async function discardUpload(
  ctx: S3Context,
  record: UploadRecord | undefined,
  path: RemotePath = record?.path ?? "",
): Promise<void> {
  const keys = ctx.keys.upload(path);
  if (record?.uploadId !== undefined) {
    await abortMultipartUpload(ctx.client, record.key, record.uploadId);
  }
  await ctx.client.deleteMany([keys.tail, keys.state]);
}

/**
 * Checks that a parsed JSON value is the record of `path`'s partial upload.
 *
 * @param value The parsed JSON.
 * @param path The remote path it must be for.
 * @returns The record, or `undefined` when it is not a valid one.
 */
export function parseUploadRecord(value: unknown, path: RemotePath): UploadRecord | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const r = value as Record<string, unknown>;
  const parts = r.parts;
  if (
    r.version !== 1 || r.path !== path || !isCount(r.size) || !isCount(r.partSize) ||
    typeof r.createdAt !== "number" || typeof r.key !== "string" || typeof r.hash !== "string" ||
    (r.mtime !== undefined && typeof r.mtime !== "number") ||
    (r.uploadId !== undefined && typeof r.uploadId !== "string") ||
    !Array.isArray(parts) || !parts.every((part, i) => isPart(part, i + 1)) ||
    (r.tail !== undefined && !isTail(r.tail))
  ) {
    return undefined;
  }
  return value as UploadRecord;
}

/** The bytes a partial upload holds in the store: its parts and its tail. */
export function heldBytes(record: UploadRecord): number {
  return record.parts.reduce((sum, part) => sum + part.size, 0) + (record.tail?.size ?? 0);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isPart(value: unknown, number: number): boolean {
  const part = value as Partial<UploadedPart> | null;
  return part?.number === number && isCount(part.size) && typeof part.etag === "string";
}

function isTail(value: unknown): boolean {
  const tail = value as Partial<TailRecord> | null;
  return isCount(tail?.size) && typeof tail?.etag === "string" && typeof tail.hash === "string";
}
