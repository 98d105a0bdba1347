/**
 * `STAT path [hash]`: describe an entry, optionally with the SHA-256 of a
 * file (read on demand; the client uses it to skip identical files).
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { Request } from "../../protocol/requests.ts";
import { normalizeRemotePath } from "../../storage/remote_path.ts";
import type { RequestContext } from "../request_context.ts";

/** `STAT path`: `REPLY { entry }`, with `sha256` for a file when `hash` is set. */
export async function stat(
  request: Extract<Request, { op: "stat" }>,
  context: RequestContext,
): Promise<void> {
  const path = normalizeRemotePath(request.path);
  const entry = await context.storage.stat(path);
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
