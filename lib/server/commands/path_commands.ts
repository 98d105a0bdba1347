/**
 * Commands on names: `STAT`, `LIST`, `DELETE`, `MKDIR`, `RMDIR`, `RENAME`.
 *
 * @module
 */

import { encodeJsonMessage } from "../../protocol/codec.ts";
import { MessageType } from "../../protocol/message_type.ts";
import type { Entry } from "../../protocol/entry.ts";
import type { Request } from "../../protocol/requests.ts";
import { normalizeRemotePath } from "../../storage/remote_path.ts";
import type { CommandHandler } from "../request_context.ts";

type RequestOf<O extends Request["op"]> = Extract<Request, { op: O }>;

/** Bytes of entry JSON collected before a `PAGE` goes out (well under a frame). */
export const PAGE_BYTES = 32 * 1024;

/** `STAT path`: `REPLY { entry }`. */
export const stat: CommandHandler<RequestOf<"stat">> = async (request, context) => {
  await context.reply({ entry: await context.storage.stat(normalizeRemotePath(request.path)) });
};

/** `LIST path`: `PAGE [entries]`… then `REPLY { count }`; never one giant message. */
export const list: CommandHandler<RequestOf<"list">> = async (request, context) => {
  let page: Entry[] = [];
  let pageBytes = 0;
  let count = 0;
  for await (const entry of context.storage.list(normalizeRemotePath(request.path))) {
    context.signal.throwIfAborted();
    page.push(entry);
    count++;
    pageBytes += entry.name.length * 6 + 64;
    if (pageBytes >= PAGE_BYTES) {
      await context.send(encodeJsonMessage(MessageType.PAGE, context.id, page));
      page = [];
      pageBytes = 0;
    }
  }
  if (page.length > 0) await context.send(encodeJsonMessage(MessageType.PAGE, context.id, page));
  await context.reply({ count });
};

/** `DELETE path`: removes a file. */
export const remove: CommandHandler<RequestOf<"delete">> = async (request, context) => {
  await context.storage.remove(normalizeRemotePath(request.path));
  await context.reply({});
};

/** `MKDIR path`: makes a folder. */
export const mkdir: CommandHandler<RequestOf<"mkdir">> = async (request, context) => {
  await context.storage.makeDirectory(normalizeRemotePath(request.path));
  await context.reply({});
};

/** `RMDIR path`: removes a folder (`recursive` for one with contents). */
export const rmdir: CommandHandler<RequestOf<"rmdir">> = async (request, context) => {
  await context.storage.removeDirectory(normalizeRemotePath(request.path), {
    recursive: request.recursive,
  });
  await context.reply({});
};

/** `RENAME from to`: moves a file or folder. */
export const rename: CommandHandler<RequestOf<"rename">> = async (request, context) => {
  await context.storage.rename(normalizeRemotePath(request.from), normalizeRemotePath(request.to), {
    overwrite: request.force,
  });
  await context.reply({});
};
