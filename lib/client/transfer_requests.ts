/**
 * The two transfer requests of {@linkcode FerryClient}: `get` into a
 * callback and `put` from a byte source, over one client connection.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { type ByteInput, cancelUnread } from "../core/byte_source.ts";
import { FerryError } from "../core/errors.ts";
import { ChunkCompressor } from "../protocol/chunk_compression.ts";
import { receiveData } from "../protocol/receive_data.ts";
import {
  parseDownloadInvitation,
  parseUploadDone,
  parseUploadInvitation,
} from "../protocol/replies.ts";
import { MAX_DATA_BYTES, sendData } from "../protocol/send_data.ts";
import type { ClientConnection } from "./client_connection.ts";
import type { Skipped } from "./conflict_policy.ts";
import type { RateLimiter } from "./rate_limit.ts";
import { corruptVerifyHook, ServerCopyChanged } from "./transfer_checks.ts";
import type { DownloadOptions, TransferResult, UploadOptions } from "./transfer_options.ts";

/** What a transfer runs over: the connection and the client's rate limit. */
export interface TransferLink {
  /** The logged-in connection. */
  connection: ClientConnection;
  /** The limit of all transfers together (`-l`), if any. */
  limiter: RateLimiter | undefined;
}

/**
 * Downloads `path` into `write`; see `FerryClient.download`. A whole file
 * that does not match the SHA-256 the server recorded is reported to the
 * server (`report-corrupt`) and thrown as {@linkcode ServerCopyChanged}.
 */
export async function download(
  link: TransferLink,
  path: string,
  write: (chunk: Uint8Array) => Promise<void>,
  options: DownloadOptions = {},
): Promise<TransferResult> {
  const offset = options.offset ?? 0;
  const hash = options.hash ?? createHash("sha256");
  const { id, queue } = link.connection.start({
    op: "get",
    path,
    offset,
    ...(options.compress ? { compress: true } : {}),
  });
  let changed: ServerCopyChanged | undefined;
  try {
    const { entry } = parseDownloadInvitation(await link.connection.expectReply(id));
    const limiter = link.limiter;
    const { end, wireBytes } = await receiveData(queue, {
      offset,
      write: (bytes) => {
        hash.update(bytes);
        return write(bytes);
      },
      ...(limiter ? { onWire: (bytes: number) => limiter.take(bytes) } : {}),
      onProgress: (done) => options.onProgress?.(done, entry.size),
      code: "protocol",
      what: `the download of "${path}"`,
    });
    if (end.sha256 === undefined) {
      throw new FerryError("protocol", `Cannot accept "${path}": END carries no SHA-256`);
    }
    const sha256 = hash.digest("hex");
    if (end.sha256 !== sha256) {
      // From 0, a recorded hash is the file's at upload: the server's copy changed since.
      if (end.recorded && offset === 0) changed = new ServerCopyChanged(path, end.sha256, sha256);
      throw changed ?? new FerryError(
        "integrity",
        `Cannot accept "${path}": SHA-256 or size differs from what the server sent`,
      );
    }
    return { entry: { ...entry, size: end.size }, path, sha256, offset, wireBytes };
  } catch (error) {
    link.connection.cancel(id);
    throw error;
  } finally {
    link.connection.finish(id);
    if (changed) {
      const { recorded: sha256, received } = changed;
      await link.connection.request({ op: "report-corrupt", path, sha256, received }).catch(
        () => {},
      );
    }
  }
}

/** Uploads `source` to `path`; see `FerryClient.upload`. */
export async function upload(
  link: TransferLink,
  source: ByteInput,
  path: string,
  options: UploadOptions,
): Promise<TransferResult | Skipped> {
  const sha256 = link.connection.serverFeatures.has("put-sha256") ? options.sha256 : undefined;
  // A small file goes right behind its request when the server allows it:
  // one round trip instead of two (nothing to resume in one message anyway).
  // Not when the file may well be there already (`sha256`): no bytes for nothing.
  const eager = options.size <= MAX_DATA_BYTES && sha256 === undefined &&
    link.connection.serverFeatures.has("eager-put");
  const { id } = link.connection.start({
    op: "put",
    path,
    size: options.size,
    force: options.force ?? false,
    resume: (options.resume ?? false) && !eager,
    ...(eager ? { eager: true } : {}),
    ...(options.rename ? { rename: true } : {}),
    ...(options.compress ? { compress: true } : {}),
    ...(options.mtime === undefined ? {} : { mtime: Math.max(0, Math.round(options.mtime)) }),
    ...(sha256 === undefined ? {} : { sha256 }),
  });
  try {
    let offset = 0;
    try {
      if (!eager) {
        const reply = parseUploadInvitation(await link.connection.expectReply(id));
        if (reply.skipped === "identical") {
          await cancelUnread(source).catch(() => {});
          const { entry, sha256 } = reply;
          return { skipped: "identical", path: reply.path ?? path, sha256, size: entry.size };
        }
        offset = reply.offset;
      }
    } catch (error) {
      await cancelUnread(source).catch(() => {});
      throw error;
    }
    const stop = new AbortController();
    const limiter = link.limiter;
    const send = limiter
      ? async (message: Uint8Array): Promise<void> => {
        // send() takes the bytes at once (the caller reuses the buffer); the
        // next message waits for this promise, so paying after is enough.
        const sending = link.connection.send(message);
        await limiter.take(message.byteLength);
        await sending;
      }
      : (message: Uint8Array): Promise<void> => link.connection.send(message);
    const verify = options.verify ?? false;
    const alter = verify ? corruptVerifyHook() : undefined;
    const sent = sendData(send, id, source, {
      offset,
      expectedBytes: options.size,
      hash: offset > 0 || verify,
      ...(alter ? { alterSha256: alter } : {}),
      ...(options.beforeEnd ? { beforeEnd: options.beforeEnd } : {}),
      signal: stop.signal,
      onProgress: (done) => options.onProgress?.(done, options.size),
      ...(options.compress ? { compressor: new ChunkCompressor() } : {}),
    });
    const replied = link.connection.expectReply(id);
    replied.catch((error) => stop.abort(error));
    try {
      const [end, reply] = await Promise.all([sent, replied]);
      const done = parseUploadDone(reply);
      if (verify && (alter?.(end.sha256 as string) ?? end.sha256) !== done.sha256) {
        throw new FerryError(
          "integrity",
          `Cannot verify "${path}": the server's SHA-256 differs from the client's (--verify)`,
        );
      }
      return {
        entry: done.entry,
        path: done.path ?? path,
        sha256: done.sha256,
        offset,
        wireBytes: end.wireBytes,
      };
    } catch (error) {
      link.connection.cancel(id);
      await Promise.allSettled([sent, replied]);
      throw error;
    }
  } finally {
    link.connection.finish(id);
  }
}
