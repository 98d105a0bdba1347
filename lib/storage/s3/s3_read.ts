/**
 * Opening an object for download, for {@linkcode S3Storage.openRead}: one
 * ranged GET from the offset, streamed.
 *
 * @module
 */

import { FerryError } from "../../errors.ts";
import { baseName, quotePath } from "../remote_path.ts";
import type { RemotePath } from "../remote_path.ts";
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
 * @returns The entry, the stored SHA-256 and a byte stream; the caller reads
 * it to its end or cancels it.
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
      return source(path, head, emptyStream());
    }
    return source(path, objectHead(response), byteStream(response.body, action));
  } catch (error) {
    throw s3Error(error, action);
  }
}

function source(
  path: RemotePath,
  head: ObjectHead,
  readable: ReadableStream<Uint8Array>,
): S3ReadSource {
  const entry: Entry = {
    name: baseName(path),
    kind: "file",
    size: head.size,
    mtime: fileMtime(head),
  };
  return { entry, readable, sha256: head.meta.sha256 };
}

function emptyStream(): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    start(controller): void {
      controller.close();
    },
  });
}

/**
 * Re-exposes a response body as a `type: "bytes"` stream, so a reader may
 * bring its own buffer; failures become {@linkcode FerryError}s.
 */
function byteStream(
  body: ReadableStream<Uint8Array> | null,
  action: string,
): ReadableStream<Uint8Array> {
  if (body === null) return emptyStream();
  const reader = body.getReader();
  let pending: Uint8Array | undefined;
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 65_536,
    async pull(controller): Promise<void> {
      let chunk = pending;
      pending = undefined;
      while (chunk === undefined || chunk.byteLength === 0) {
        let next: ReadableStreamReadResult<Uint8Array>;
        try {
          next = await reader.read();
        } catch (error) {
          controller.error(s3Error(error, action));
          return;
        }
        if (next.done) {
          controller.close();
          controller.byobRequest?.respond(0);
          return;
        }
        chunk = next.value;
      }
      const request = controller.byobRequest;
      const view = request?.view ?? null;
      if (request === null || view === null) {
        controller.enqueue(chunk);
        return;
      }
      const target = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
      const n = Math.min(target.byteLength, chunk.byteLength);
      target.set(chunk.subarray(0, n));
      if (n < chunk.byteLength) pending = chunk.subarray(n);
      request.respond(n);
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason);
    },
  });
}
