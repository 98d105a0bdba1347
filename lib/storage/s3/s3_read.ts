/**
 * Opening an object for download, for {@linkcode S3Storage.openRead}: one
 * ranged GET from the offset, read as it arrives.
 *
 * @module
 */

import { FerryError } from "../../core/errors.ts";
import { type ByteSource, memoryByteSource } from "../../core/byte_source.ts";
import { baseName, quotePath } from "../../core/remote_path.ts";
import type { RemotePath } from "../../core/remote_path.ts";
import type { Entry, ReadSource } from "../storage.ts";
import { objectHead } from "./s3_client.ts";
import type { ObjectHead } from "./s3_client.ts";
import type { S3Context } from "./s3_context.ts";
import { s3Error } from "./s3_errors.ts";
import { fileMtime, findEntry, missing } from "./s3_tree.ts";

/** A download from S3: also the SHA-256 that was verified on upload. */
export interface S3ReadSource extends ReadSource {
  /** The whole file's SHA-256 from `x-amz-meta-sha256`, when stored. */
  sha256: string | undefined;
}

/**
 * Opens an object and streams its bytes from `offset` (a ranged GET). The
 * bytes come from one version of the object: an overwrite meanwhile does not
 * mix versions.
 *
 * @param ctx The storage's context.
 * @param path The file.
 * @param offset Where to start, at most the file's size.
 * @returns The entry, the stored SHA-256 and the bytes; the caller reads them
 * to the end or cancels them.
 * @throws {FerryError} `bad_request` for a bad offset, `is_directory` for a
 * folder, `not_found`.
 */
export async function openS3Read(
  ctx: S3Context,
  path: RemotePath,
  offset: number,
): Promise<S3ReadSource> {
  const action = `Cannot read ${quotePath(path)}`;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new FerryError("bad_request", `${action} from offset ${offset}: it is not valid`);
  }
  if (path === "") throw new FerryError("is_directory", `${action}: it is a folder`);
  try {
    const key = ctx.keys.file(path);
    const response = await ctx.client.send("GET", key, {
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      accept: [404, 416],
      timeoutMs: 0,
    });
    if (response.status === 404) {
      await response.body?.cancel();
      const found = await findEntry(ctx, path);
      if (found?.kind === "dir") throw new FerryError("is_directory", `${action}: it is a folder`);
      throw await missing(ctx, path, action);
    }
    if (response.status === 416) {
      await response.body?.cancel();
      const head = await ctx.client.head(key);
      if (head === undefined) {
        throw await missing(ctx, path, action);
      }
      if (offset !== head.size) {
        throw new FerryError(
          "bad_request",
          `${action} from offset ${offset}: the file has only ${head.size} bytes`,
        );
      }
      return source(path, head, memoryByteSource(new Uint8Array(0)));
    }
    return source(path, objectHead(response), bodySource(response.body, action));
  } catch (error) {
    throw s3Error(error, action);
  }
}

function source(
  path: RemotePath,
  head: ObjectHead,
  bytes: ByteSource,
): S3ReadSource {
  const entry: Entry = {
    name: baseName(path),
    kind: "file",
    size: head.size,
    mtime: fileMtime(head),
  };
  return { entry, bytes, sha256: head.meta.sha256 };
}

/**
 * A response body as a {@linkcode ByteSource}: each read fills the caller's
 * buffer from as many of the body's chunks as it takes (fetch hands them
 * over in pieces of at most 64 KiB; a download sends one record per read,
 * and records of up to 256 KiB cost less per byte), short only at the end;
 * failures become {@linkcode FerryError}s.
 */
function bodySource(body: ReadableStream<Uint8Array> | null, action: string): ByteSource {
  if (body === null) return memoryByteSource(new Uint8Array(0));
  const reader = body.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  let ended = false;
  return {
    async read(view: Uint8Array): Promise<number | null> {
      let filled = 0;
      while (filled < view.byteLength) {
        if (pending.byteLength === 0) {
          if (ended) break;
          let next: ReadableStreamReadResult<Uint8Array>;
          try {
            next = await reader.read();
          } catch (error) {
            throw s3Error(error, action);
          }
          if (next.done) {
            ended = true;
            break;
          }
          pending = next.value;
        }
        const n = Math.min(view.byteLength - filled, pending.byteLength);
        view.set(pending.subarray(0, n), filled);
        pending = pending.subarray(n);
        filled += n;
      }
      return filled === 0 && view.byteLength > 0 ? null : filled;
    },
    async cancel(): Promise<void> {
      await reader.cancel();
    },
  };
}
