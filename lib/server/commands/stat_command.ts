/**
 * `STAT path [hash]`: describe an entry (marked `encrypted` when it starts
 * like an encrypted file), optionally with the SHA-256 of a file (the one the
 * back end holds, else read on demand and recorded; the client uses it to
 * skip identical files). Also the hashes of a listing's files (`LIST path hash`).
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
import { isFerryError } from "../../core/errors.ts";
import { joinRemote } from "../../core/remote_path.ts";
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
 * The SHA-256 of a stored file: the one the back end holds (S3's from the
 * upload, the local hash index's while the file is unchanged), found without
 * reading the file; else read, hashed, and recorded in the index.
 */
export async function storedSha256(
  storage: Storage,
  path: RemotePath,
  signal: AbortSignal,
): Promise<string> {
  const known = await storage.knownSha256?.(path);
  if (known !== undefined) return known;
  const source = await storage.openRead(path, 0);
  if (source.sha256 !== undefined) {
    await cancelUnread(source.bytes);
    return source.sha256;
  }
  const sha256 = await sha256OfInput(source.bytes, { signal, bufferBytes: HASH_READ_BYTES });
  await source.recordSha256?.(sha256);
  return sha256;
}

/**
 * Gives each file of a page of `folder`'s listing its `sha256`, one file at
 * a time: from the back end's index when it holds it, else read, hashed and
 * recorded. A file that vanished or changed kind meanwhile, or cannot be
 * named, gets none.
 *
 * @throws {Error} `signal`'s reason once it is aborted.
 */
export async function addSha256(
  storage: Storage,
  folder: RemotePath,
  page: Entry[],
  signal: AbortSignal,
): Promise<void> {
  for (const [i, entry] of page.entries()) {
    signal.throwIfAborted();
    if (entry.kind !== "file") continue;
    try {
      const sha256 = await storedSha256(storage, joinRemote(folder, entry.name), signal);
      page[i] = { ...entry, sha256 };
    } catch (error) {
      if (!isFerryError(error)) throw error;
      if (!["not_found", "is_directory", "invalid_path", "busy"].includes(error.code)) throw error;
    }
  }
}
