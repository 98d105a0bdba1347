/**
 * `GET` and `PUT`: file bytes in both directions, each ending with the
 * whole file's SHA-256.
 *
 * @module
 */

import { FerryError } from "../../errors.ts";
import { ChunkCompressor } from "../../protocol/chunk_compression.ts";
import { decodeJsonBody } from "../../protocol/codec.ts";
import { receivedBytes, sendDataStream, type TransferEnd } from "../../protocol/data_stream.ts";
import { MessageType } from "../../protocol/message_type.ts";
import type { Request } from "../../protocol/requests.ts";
import { normalizeRemotePath, parentOf } from "../../storage/remote_path.ts";
import type { RequestContext } from "../request_context.ts";

type GetRequest = Extract<Request, { op: "get" }>;
type PutRequest = Extract<Request, { op: "put" }>;

/**
 * `GET path offset`: `REPLY { entry, offset }`, `DATA`…, `END { size, sha256 }`.
 * With `compress`, chunks that shrink go as `DATA_DEFLATE`.
 */
export async function get(request: GetRequest, context: RequestContext): Promise<void> {
  const source = await context.storage.openRead(normalizeRemotePath(request.path), 0);
  if (request.offset > source.entry.size) {
    await source.readable.cancel();
    throw new FerryError(
      "bad_request",
      `Cannot resume "${request.path}" at byte ${request.offset}: the file has ${source.entry.size} bytes`,
    );
  }
  await context.reply({ entry: source.entry, offset: request.offset });
  await sendDataStream((message) => context.send(message), context.id, source.readable, {
    offset: request.offset,
    signal: context.signal,
    ...(request.compress ? { compressor: new ChunkCompressor() } : {}),
  });
}

function parseEnd(value: unknown): TransferEnd {
  const end = value as Partial<TransferEnd> | null;
  if (
    typeof end?.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(end.sha256) ||
    !Number.isSafeInteger(end.size)
  ) {
    throw new FerryError("bad_request", "Cannot finish upload: malformed END message");
  }
  return end as TransferEnd;
}

/**
 * `PUT path size`: `REPLY { offset }` invites the bytes from `offset`; the
 * client sends `DATA`/`DATA_DEFLATE`… and `END { size, sha256 }`; the file is
 * committed only if the hash matches, then `REPLY { entry, path, sha256 }`
 * (`path` differs from the request with `rename`: keep both).
 */
export async function put(request: PutRequest, context: RequestContext): Promise<void> {
  const path = normalizeRemotePath(request.path);
  if (path === "") throw new FerryError("is_directory", "Cannot upload onto the root folder");
  const incoming = context.incoming();
  const upload = await context.storage.openUpload(path, {
    size: request.size,
    overwrite: request.force,
    resume: request.resume,
    keepBoth: request.rename ?? false,
    ...(request.mtime === undefined ? {} : { mtime: request.mtime }),
  });
  let committing = false;
  let received = 0;
  try {
    await context.reply({ offset: upload.offset });
    for await (const message of incoming) {
      if (message.type === MessageType.DATA || message.type === MessageType.DATA_DEFLATE) {
        received += message.body.byteLength;
        await upload.write(await receivedBytes(message));
      } else if (message.type === MessageType.END) {
        const end = parseEnd(decodeJsonBody(message));
        committing = true;
        const entry = await upload.commit(end.sha256);
        const parent = parentOf(path);
        const placed = parent === "" ? entry.name : `${parent}/${entry.name}`;
        context.log.info(
          `"${context.account.name}" put "${placed}": ${entry.size} bytes, ${received} bytes ` +
            `received from offset ${upload.offset}, SHA-256 ${end.sha256}`,
        );
        await context.reply({ entry, path: placed, sha256: end.sha256 });
        return;
      }
    }
    throw new FerryError("cancelled", `Upload of "${request.path}" ended before its END message`);
  } finally {
    if (!committing) await upload.abort();
  }
}
