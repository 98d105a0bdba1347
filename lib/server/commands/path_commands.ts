/**
 * Commands on names: `STAT`, `LIST`, `DELETE`, `MKDIR`, `RMDIR`, `RENAME`.
 *
 * @module
 */

import { encodeJsonMessage } from "../../protocol/codec.ts";
import { MessageType } from "../../protocol/message_type.ts";
import type { Entry } from "../../core/entry.ts";
import type { Request } from "../../protocol/requests.ts";
import { normalizeRemotePath } from "../../core/remote_path.ts";
import { FerryError } from "../../core/errors.ts";
import type { AuditDetail, RequestContext } from "../request_context.ts";
import { markEncrypted } from "./encryption_probe.ts";
import { addSha256 } from "./stat_command.ts";

type RequestOf<O extends Request["op"]> = Extract<Request, { op: O }>;

/** Bytes of entry JSON collected before a `PAGE` goes out (well under a frame). */
export const PAGE_BYTES = 32 * 1024;

/**
 * `LIST path [hash]`: `PAGE [entries]`… then `REPLY { count }`; never one giant
 * message. Encrypted files are marked page by page, so the listing streams;
 * with `hash`, files get their `sha256` page by page too (see
 * {@linkcode addSha256}).
 */
export async function list(
  request: RequestOf<"list">,
  context: RequestContext,
): Promise<void> {
  const folder = normalizeRemotePath(request.path);
  using _slot = await context.transferSlot();
  let page: Entry[] = [];
  let pageBytes = 0;
  let count = 0;
  const send = async (): Promise<void> => {
    await markEncrypted(context.storage, folder, page, context.signal);
    if (request.hash) await addSha256(context.storage, folder, page, context.signal);
    await context.send(encodeJsonMessage(MessageType.PAGE, context.id, page));
  };
  for await (const entry of context.storage.list(folder)) {
    context.signal.throwIfAborted();
    page.push(entry);
    count++;
    pageBytes += entry.name.length * 6 + (request.hash ? 144 : 64);
    if (pageBytes >= PAGE_BYTES) {
      await send();
      page = [];
      pageBytes = 0;
    }
  }
  if (page.length > 0) await send();
  await context.reply({ count });
}

/** `DELETE path`: removes a file. */
export async function remove(
  request: RequestOf<"delete">,
  context: RequestContext,
): Promise<AuditDetail> {
  const path = normalizeRemotePath(request.path);
  const size = context.usage ? (await context.storage.stat(path)).size : 0;
  await context.storage.remove(path);
  context.usage?.apply(-size, -1);
  await context.reply({});
  return context.usage ? { size } : {};
}

/** `MKDIR path`: makes a folder. */
export async function mkdir(
  request: RequestOf<"mkdir">,
  context: RequestContext,
): Promise<void> {
  await context.storage.makeDirectory(normalizeRemotePath(request.path));
  await context.reply({});
}

/** `RMDIR path`: removes a folder (`recursive` for one with contents). */
export async function rmdir(
  request: RequestOf<"rmdir">,
  context: RequestContext,
): Promise<void> {
  await context.storage.removeDirectory(normalizeRemotePath(request.path), {
    recursive: request.recursive,
  });
  if (request.recursive) context.usage?.invalidate();
  await context.reply({});
}

/** `RENAME from to`: moves a file or folder. */
export async function rename(
  request: RequestOf<"rename">,
  context: RequestContext,
): Promise<AuditDetail> {
  if (request.force && !context.account.permissions.has("overwrite")) {
    throw new FerryError(
      "denied",
      `Cannot replace "${request.to}": user "${context.account.name}" lacks the "overwrite" permission`,
    );
  }
  await context.storage.rename(normalizeRemotePath(request.from), normalizeRemotePath(request.to), {
    overwrite: request.force,
  });
  if (request.force) context.usage?.invalidate();
  await context.reply({});
  return { to: request.to };
}
