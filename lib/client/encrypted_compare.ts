/**
 * Telling whether an encrypted remote file holds the same plaintext as a
 * local file, without downloading it: encryption is deterministic given the
 * header, so the local file encrypted under the remote file's own header
 * must hash to the SHA-256 the server reports. This keeps "identical files
 * are skipped" true under `put --encrypt` (re-running an interrupted
 * `put -r --encrypt` sends only what is missing).
 *
 * @module
 */

import { createHash } from "node:crypto";
import { isFerryError } from "../core/errors.ts";
import {
  createEncryptStream,
  encryptedSize,
  HEADER_BYTES,
  isEncryptedFile,
  isFileCryptoError,
  type UnlockedHeader,
} from "../file_crypto/mod.ts";
import type { Skipped } from "./conflict_policy.ts";
import type { FerryClient } from "./ferry_client.ts";
import type { FileKeys } from "./file_keys.ts";
import { localError } from "./local_files.ts";

/** Thrown by the download callback once the header is in: stops the download. */
class Enough extends Error {}

/** The first `length` bytes of a remote file (fewer when it is shorter). */
async function remoteHead(
  client: FerryClient,
  remote: string,
  length: number,
): Promise<Uint8Array> {
  const head = new Uint8Array(length);
  let have = 0;
  try {
    await client.download(remote, (chunk) => {
      const part = chunk.subarray(0, length - have);
      head.set(part, have);
      have += part.length;
      return have < length ? Promise.resolve() : Promise.reject(new Enough());
    });
  } catch (error) {
    if (!(error instanceof Enough)) throw error;
  }
  return head.subarray(0, have);
}

async function unlockOrNone(keys: FileKeys, head: Uint8Array): Promise<UnlockedHeader | undefined> {
  try {
    return await keys.unlock(head);
  } catch (error) {
    if (isFileCryptoError(error)) return undefined; // another key: not the same file
    throw error;
  }
}

/**
 * Tells whether `remote` is `local` encrypted (under any header the keys
 * open): the sizes must fit, the remote header must unlock, and the local
 * file encrypted under it must have the SHA-256 the server reports.
 *
 * @param client The connection.
 * @param local The local file.
 * @param remote The remote path.
 * @param keys The keys of this command.
 * @returns The skip, or `undefined` when they differ, or when `remote` is
 *   missing, a folder, not encrypted or under another key.
 */
export async function identicalEncrypted(
  client: FerryClient,
  local: string,
  remote: string,
  keys: FileKeys,
): Promise<Skipped | undefined> {
  let found: Awaited<ReturnType<FerryClient["statWithHash"]>>;
  try {
    found = await client.statWithHash(remote);
  } catch (error) {
    if (isFerryError(error, "not_found")) return undefined;
    throw error;
  }
  const { entry, sha256 } = found;
  let size: number;
  try {
    size = (await Deno.stat(local)).size;
  } catch (error) {
    throw localError(error, local);
  }
  if (entry.kind !== "file" || sha256 === undefined || entry.size !== encryptedSize(size)) {
    return undefined;
  }
  const head = await remoteHead(client, remote, HEADER_BYTES);
  if (!isEncryptedFile(head)) return undefined;
  const header = await unlockOrNone(keys, head);
  if (!header || header.plainSize !== size) return undefined;
  const hash = createHash("sha256");
  try {
    const file = await Deno.open(local, { read: true });
    for await (const piece of file.readable.pipeThrough(createEncryptStream(header))) {
      hash.update(piece);
    }
  } catch (error) {
    throw localError(error, local);
  }
  const ours = hash.digest("hex");
  return ours === sha256
    ? { skipped: "identical", path: remote, sha256, size: entry.size }
    : undefined;
}
