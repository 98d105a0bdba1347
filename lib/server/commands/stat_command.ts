/**
 * `STAT path [hash]`: describe an entry (marked `encrypted` when it starts
 * like an encrypted file), optionally with the SHA-256 of a file (read on
 * demand, or the one the back end kept at upload; the client uses it to skip
 * identical files).
 *
 * @module
 */

import type { Entry } from "../../core/entry.ts";
import type { Request } from "../../protocol/requests.ts";
import { normalizeRemotePath, type RemotePath } from "../../core/remote_path.ts";
import type { Storage } from "../../storage/storage.ts";
import type { RequestContext } from "../request_context.ts";
import { cancelUnread } from "../../core/byte_source.ts";
import { sha256OfInput } from "../../core/sha256_input.ts";
import { isStoredEncrypted } from "./encryption_probe.ts";

/** Bytes read at a time to hash a stored file. */
const HASH_READ_BYTES = 64 * 1024;

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
  await context.reply({ entry, sha256: await storedSha256(context.storage, path, context.signal) });
}

/**
 * The SHA-256 of a stored file: the one the back end kept at upload (S3),
 * else read and hashed.
 */
export async function storedSha256(
  storage: Storage,
  path: RemotePath,
  signal: AbortSignal,
): Promise<string> {
  const source = await storage.openRead(path, 0);
  if (source.sha256 !== undefined) {
    await cancelUnread(source.bytes);
    return source.sha256;
  }
  return await sha256OfInput(source.bytes, { signal, bufferBytes: HASH_READ_BYTES });
}
