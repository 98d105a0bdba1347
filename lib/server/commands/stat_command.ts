/**
 * `STAT path [hash]`: describe an entry (marked `encrypted` when it starts
 * like an encrypted file), optionally with the SHA-256 of a file (read on
 * demand; the client uses it to skip identical files).
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { Entry } from "../../protocol/entry.ts";
import type { Request } from "../../protocol/requests.ts";
import { normalizeRemotePath } from "../../storage/remote_path.ts";
import type { RequestContext } from "../request_context.ts";
import { isStoredEncrypted } from "./encryption_probe.ts";

/** `STAT path`: `REPLY { entry }`, with `sha256` for a file when `hash` is set. */
export async function stat(
  request: Extract<Request, { op: "stat" }>,
  context: RequestContext,
): Promise<void> {
  const path = normalizeRemotePath(request.path);
  const found = await context.storage.stat(path);
  const entry: Entry = await isStoredEncrypted(context.storage, path, found)
    ? { ...found, encrypted: true }
    : found;
  if (!request.hash || entry.kind !== "file") {
    await context.reply({ entry });
    return;
  }
  const { readable } = await context.storage.openRead(path, 0);
  const hash = createHash("sha256");
  for await (const chunk of readable) {
    context.signal.throwIfAborted();
    hash.update(chunk);
  }
  await context.reply({ entry, sha256: hash.digest("hex") });
}
