/**
 * `GET` and `PUT`: file bytes in both directions. The server hashes what it
 * receives (the hash it stores and replies); a download ends with the hash
 * the back end recorded, or one computed while sending.
 *
 * @module
 */

import { FerryError, isFerryError } from "../../core/errors.ts";
import { ChunkCompressor } from "../../protocol/chunk_compression.ts";
import { receiveData } from "../../protocol/receive_data.ts";
import { MAX_DATA_BYTES, sendData } from "../../protocol/send_data.ts";
import type { Request } from "../../protocol/requests.ts";
import { normalizeRemotePath, parentOf, type RemotePath } from "../../core/remote_path.ts";
import type { Entry, ReadSource, Storage } from "../../storage/storage.ts";
import type { Reservation } from "../folder_usage.ts";
import type { AuditDetail, RequestContext } from "../request_context.ts";
import { cancelUnread } from "../../core/byte_source.ts";
import { skipIdenticalUpload } from "./identical_upload.ts";

type GetRequest = Extract<Request, { op: "get" }>;
type PutRequest = Extract<Request, { op: "put" }>;

/**
 * Opens a download. A back end that keeps the file's hash (S3, the local
 * hash index) is read from the offset only; otherwise the file is read from
 * 0, so that the bytes before the offset can be hashed for `END`.
 *
 * @returns The source and whether it starts at `offset` (with its hash).
 */
async function openSource(
  storage: Storage,
  path: RemotePath,
  offset: number,
): Promise<{ source: ReadSource; fromOffset: boolean }> {
  if (offset > 0) {
    let source: ReadSource | undefined;
    try {
      source = await storage.openRead(path, offset);
    } catch (error) {
      // Past the end: reopened below, to say so with the file's size.
      if (!isFerryError(error, "bad_request")) throw error;
    }
    if (source?.sha256 !== undefined) return { source, fromOffset: true };
    if (source) await cancelUnread(source.bytes);
  }
  const source = await storage.openRead(path, 0);
  return { source, fromOffset: source.sha256 !== undefined };
}

/**
 * `GET path offset`: `REPLY { entry, offset }`, `DATA`…, `END { size, sha256,
 * recorded? }`. With a recorded hash (`recorded: true`) the file is not
 * hashed; without one it is hashed while sent and the result offered to the
 * back end's index. With `compress`, chunks that shrink go as `DATA_DEFLATE`.
 */
export async function get(request: GetRequest, context: RequestContext): Promise<AuditDetail> {
  const path = normalizeRemotePath(request.path);
  using _slot = await context.transferSlot();
  const { source, fromOffset } = await openSource(context.storage, path, request.offset);
  if (request.offset > source.entry.size) {
    await cancelUnread(source.bytes);
    throw new FerryError(
      "bad_request",
      `Cannot resume "${request.path}" at byte ${request.offset}: the file has ${source.entry.size} bytes`,
    );
  }
  await context.reply({ entry: source.entry, offset: request.offset });
  const recorded = fromOffset ? source.sha256 : undefined;
  const end = await sendData(
    (message) => context.send(message),
    context.id,
    source.bytes,
    {
      offset: request.offset,
      // Without a recorded hash the source starts at 0 (the skipped bytes are hashed).
      expectedBytes: source.entry.size - (recorded === undefined ? 0 : request.offset),
      ...(recorded === undefined ? {} : { sha256: recorded }),
      signal: context.signal,
      onProgress: (done) => context.progress.bytes = done - request.offset,
      ...(request.compress ? { compressor: new ChunkCompressor() } : {}),
    },
  );
  if (recorded === undefined && end.sha256 !== undefined && source.recordSha256) {
    // Read from 0 and hashed whole: the index keeps it for the file as opened.
    await source.recordSha256(end.sha256).catch((error) =>
      context.log.info(`Cannot record the SHA-256 of "${path}": ${error}`)
    );
  }
  return {
    bytes: end.size - request.offset,
    size: end.size,
    offset: request.offset,
    ...(end.sha256 === undefined ? {} : { sha256: end.sha256 }),
  };
}

async function existing(context: RequestContext, path: RemotePath): Promise<Entry | undefined> {
  try {
    return await context.storage.stat(path);
  } catch (error) {
    if (isFerryError(error, "not_found")) return undefined;
    throw error;
  }
}

/**
 * Checks the server's size limit, the overwrite permission and the user's
 * quota before any byte is accepted, and holds room for the upload.
 */
async function admitUpload(
  request: PutRequest,
  path: RemotePath,
  context: RequestContext,
): Promise<{ force: boolean; reservation: Reservation | undefined; replaced: number }> {
  const { maxFileSizeBytes, account, usage } = context;
  if (maxFileSizeBytes > 0 && request.size > maxFileSizeBytes) {
    throw new FerryError(
      "too_large",
      `Cannot upload "${request.path}": ${request.size} bytes is over the server's limit of ${maxFileSizeBytes} bytes`,
    );
  }
  const needsLookup = (request.force && !account.permissions.has("overwrite")) ||
    usage !== undefined;
  const before = needsLookup ? await existing(context, path) : undefined;
  const force = request.force && before !== undefined;
  if (force && !account.permissions.has("overwrite")) {
    throw new FerryError(
      "denied",
      `Cannot replace "${request.path}": user "${account.name}" lacks the "overwrite" permission`,
    );
  }
  if (!usage) return { force: request.force, reservation: undefined, replaced: 0 };
  const replaced = force && before?.kind === "file" ? before.size : 0;
  const newFile = !force;
  const now = await usage.current();
  // This path's own partial upload is resumed or replaced by this upload: it does not count twice.
  const own = usage.partials(path);
  const bytes = now.bytes - own.bytes + request.size - replaced;
  const parked = usage.partials().bytes - own.bytes;
  const inPartials = parked > 0 ? ` (${parked} of them in unfinished uploads)` : "";
  if (account.quotaBytes !== undefined && bytes > account.quotaBytes) {
    throw new FerryError(
      "quota",
      `Cannot upload "${request.path}": it would take ${bytes} bytes${inPartials}, over the quota of ${account.quotaBytes} bytes`,
    );
  }
  const files = now.files - own.files + (newFile ? 1 : 0);
  if (account.quotaFiles !== undefined && newFile && files > account.quotaFiles) {
    throw new FerryError(
      "quota",
      `Cannot upload "${request.path}": the quota of ${account.quotaFiles} files is reached${
        usage.partials().files > own.files ? " (counting unfinished uploads)" : ""
      }`,
    );
  }
  return {
    force: request.force,
    reservation: usage.reserve(request.size - replaced, newFile),
    replaced,
  };
}

/**
 * `PUT path size`: `REPLY { offset }` invites the bytes from `offset`; the
 * client sends `DATA`/`DATA_DEFLATE`… and `END { size, sha256? }`; the
 * server hashes what it receives, commits only if the client's hash (when it
 * sent one) matches, then `REPLY { entry, path, sha256 }` with its own hash
 * (`path` differs from the request with `rename`: keep both). With `eager`
 * (a file of at most {@linkcode MAX_DATA_BYTES}, never resumed), the bytes
 * follow the request unasked and there is no `REPLY { offset }`; a refusal is
 * an `ERROR`, and the bytes already sent for it are dropped.
 */
export async function put(request: PutRequest, context: RequestContext): Promise<AuditDetail> {
  const path = normalizeRemotePath(request.path);
  if (path === "") throw new FerryError("is_directory", "Cannot upload onto the root folder");
  const eager = request.eager === true;
  if (eager && request.size > MAX_DATA_BYTES) {
    throw new FerryError(
      "bad_request",
      `Cannot upload "${request.path}" eagerly: ${request.size} bytes is over the ${MAX_DATA_BYTES} an eager upload may carry`,
    );
  }
  const skipped = await skipIdenticalUpload(request, path, context);
  if (skipped) return skipped;
  // An eager upload is one message, already queued: it takes no turn (and so waits for none).
  using _slot = eager ? undefined : await context.transferSlot();
  const { force, reservation, replaced } = await admitUpload(request, path, context);
  const incoming = context.incoming();
  let committing = false;
  try {
    const upload = await context.storage.openUpload(path, {
      size: request.size,
      overwrite: force,
      resume: request.resume && !eager,
      keepBoth: request.rename ?? false,
      ...(request.mtime === undefined ? {} : { mtime: request.mtime }),
    });
    try {
      context.signal.throwIfAborted();
      if (!eager) await context.reply({ offset: upload.offset });
      // A CANCEL ends this loop at once (the queue is cancelled, what it held dropped).
      const { end } = await receiveData(incoming, {
        offset: upload.offset,
        size: request.size,
        write: async (bytes) => {
          await upload.write(bytes);
          context.progress.bytes += bytes.byteLength;
        },
        code: "bad_request",
        what: `the upload of "${request.path}"`,
      });
      committing = true;
      const entry = await upload.commit(end.sha256);
      const sha256 = upload.sha256 as string;
      const parent = parentOf(path);
      const placed = parent === "" ? entry.name : `${parent}/${entry.name}`;
      context.usage?.apply(entry.size - replaced, placed === path && replaced > 0 ? 0 : 1);
      context.log.info(
        `"${context.account.name}" put "${placed}": ${entry.size} bytes, ` +
          `${context.progress.bytes} bytes received from offset ${upload.offset}, SHA-256 ${sha256}`,
      );
      // Committed: a put for the audit log whatever happens to the reply (the client may be gone).
      await context.reply({ entry, path: placed, sha256 }).catch((error) =>
        context.log.info(`"${context.account.name}" put "${placed}": reply lost: ${error}`)
      );
      return {
        path: placed,
        bytes: context.progress.bytes,
        size: entry.size,
        offset: upload.offset,
        sha256,
      };
    } finally {
      if (!committing) await upload.abort();
    }
  } finally {
    reservation?.release();
  }
}
