/**
 * Which stored files are end-to-end encrypted, for `ls`: the first 8 bytes of
 * each file big enough to be one are compared with the magic
 * (`docs/ENCRYPTION.md` §2.1). The server never holds a key; this only reads
 * what any reader of the disk sees.
 *
 * @module
 */

import type { Entry } from "../../core/entry.ts";
// The magic and the layout only: ferryd needs none of the cryptography.
import { ENCRYPTED_MAGIC, isEncryptedFile } from "../../file_crypto/magic.ts";
import { encryptedSize } from "../../file_crypto/layout.ts";
import type { Storage } from "../../storage/storage.ts";
import { joinRemote, type RemotePath } from "../../core/remote_path.ts";
import { type ByteInput, ViewReader } from "../../core/byte_source.ts";

/** The smallest encrypted file: a header and one empty final chunk. */
const SMALLEST = encryptedSize(0);

/** Files opened at once while marking one page of a listing. */
export const PROBES_AT_ONCE = 8;

async function readHead(bytes: ByteInput): Promise<Uint8Array> {
  const head = new Uint8Array(ENCRYPTED_MAGIC.length);
  let length = 0;
  const reader = new ViewReader(bytes);
  try {
    while (length < head.length) {
      const part = await reader.read(new Uint8Array(head.length - length));
      if (part === null) break;
      head.set(part, length);
      length += part.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return head.subarray(0, length);
}

/**
 * Tells whether a stored file starts like an encrypted file. Reads at most a
 * few bytes; any failure (the file vanished, is being replaced) counts as
 * not encrypted.
 *
 * @param storage Where the file is.
 * @param path Its remote path.
 * @param entry Its entry (folders and files too small are not opened).
 * @returns `true` when it starts with the magic.
 */
export async function isStoredEncrypted(
  storage: Storage,
  path: RemotePath,
  entry: Entry,
): Promise<boolean> {
  if (entry.kind !== "file" || entry.size < SMALLEST) return false;
  try {
    return isEncryptedFile(await readHead((await storage.openRead(path, 0)).bytes));
  } catch {
    return false;
  }
}

/**
 * Marks the encrypted files of one page of a listing (`encrypted: true`),
 * opening at most {@linkcode PROBES_AT_ONCE} files at a time.
 *
 * @param storage Where the folder is.
 * @param folder The folder listed.
 * @param page Its entries; replaced in place by marked copies.
 * @param signal Stops early when the request is cancelled.
 */
export async function markEncrypted(
  storage: Storage,
  folder: RemotePath,
  page: Entry[],
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  async function worker(): Promise<void> {
    while (next < page.length) {
      signal?.throwIfAborted();
      const i = next++;
      const entry = page[i] as Entry;
      let path: RemotePath;
      try {
        path = joinRemote(folder, entry.name);
      } catch {
        continue; // a name too long to open: not marked
      }
      if (await isStoredEncrypted(storage, path, entry)) page[i] = { ...entry, encrypted: true };
    }
  }
  const workers = Math.min(PROBES_AT_ONCE, page.length);
  await Promise.all(Array.from({ length: workers }, worker));
}
