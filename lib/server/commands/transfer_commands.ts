/**
 * `GET` and `PUT`: file bytes in both directions, each ending with the
 * whole file's SHA-256.
 *
 * @module
 */

import { FerryError } from "../../errors.ts";
import { decodeJsonBody } from "../../protocol/codec.ts";
import { sendDataStream, type TransferEnd } from "../../protocol/data_stream.ts";
import { MessageType } from "../../protocol/message_type.ts";
import type { Request } from "../../protocol/requests.ts";
import { normalizeRemotePath } from "../../storage/remote_path.ts";
import type { CommandHandler } from "../request_context.ts";

/** `GET path offset`: `REPLY { entry, offset }`, `DATA`…, `END { size, sha256 }`. */
export const get: CommandHandler<Extract<Request, { op: "get" }>> = async (request, context) => {
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
  });
};

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
 * client sends `DATA`… and `END { size, sha256 }`; the file is committed only
 * if the hash matches, then `REPLY { entry, sha256 }`.
 */
export const put: CommandHandler<Extract<Request, { op: "put" }>> = async (request, context) => {
  const path = normalizeRemotePath(request.path);
  if (path === "") throw new FerryError("is_directory", "Cannot upload onto the root folder");
  const incoming = context.incoming();
  const upload = await context.storage.openUpload(path, {
    size: request.size,
    overwrite: request.force,
    resume: request.resume,
    ...(request.mtime === undefined ? {} : { mtime: request.mtime }),
  });
  let committing = false;
  try {
    await context.reply({ offset: upload.offset });
    for await (const message of incoming) {
      if (message.type === MessageType.DATA) {
        await upload.write(message.body);
      } else if (message.type === MessageType.END) {
        const end = parseEnd(decodeJsonBody(message));
        committing = true;
        const entry = await upload.commit(end.sha256);
        await context.reply({ entry, sha256: end.sha256 });
        return;
      }
    }
    throw new FerryError("cancelled", `Upload of "${request.path}" ended before its END message`);
  } finally {
    if (!committing) await upload.abort();
  }
};
