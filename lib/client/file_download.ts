/**
 * Downloading one remote file into a local file: into `NAME.ferry-part`,
 * resumed from there by default, verified, then moved into place under the
 * overwrite policy.
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { FerryError, isFerryError } from "../core/errors.ts";
import { keepBothName, MAX_KEEP_BOTH } from "../local_fs/keep_both_name.ts";
import {
  existsError,
  type FileTransferOptions,
  sha256OfLocalFile,
  type Skipped,
} from "./conflict_policy.ts";
import type { FerryClient, TransferResult } from "./ferry_client.ts";
import {
  discardPartial,
  KEPT_HEADER_SUFFIX,
  partialState,
  receiveDecrypting,
  resumableAsStored,
} from "./decrypting_download.ts";
import { LOCAL_DIRECT_IO, localError, PARTIAL_SUFFIX } from "./local_files.ts";
import { BufferedFileWriter } from "../local_fs/buffered_file_writer.ts";
import { ENCRYPTED_MAGIC, isEncryptedFile } from "../file_crypto/mod.ts";
import { corruptVerifyHook, ServerCopyChanged } from "./transfer_checks.ts";

/**
 * What is at a local path, or `undefined`. Local metadata calls here are
 * direct: 1–6 µs each, against 7–17 µs of CPU as async ops, which adds up
 * over 1,000 small files (docs/PERFORMANCE.md).
 */
function localInfo(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw localError(error, path);
  }
}

/**
 * Opens the partial file: at its end, with its bytes hashed, when resuming;
 * else creates it empty with a direct call.
 */
async function openPartial(
  partial: string,
  resume: boolean,
): Promise<{ file: Deno.FsFile; offset: number; hash: Hash }> {
  const hash = createHash("sha256");
  try {
    if (resume && localInfo(partial)?.isFile) {
      const file = await Deno.open(partial, { read: true, write: true });
      const buffer = new Uint8Array(1024 * 1024);
      let offset = 0;
      for (let n = await file.read(buffer); n !== null; n = await file.read(buffer)) {
        hash.update(buffer.subarray(0, n));
        offset += n;
      }
      return { file, offset, hash };
    }
    return { file: createEmpty(partial), offset: 0, hash };
  } catch (error) {
    throw localError(error, partial);
  }
}

/**
 * Creates (or empties) a partial file with a direct call: on the fifth
 * session's machine an async create cost about 150 µs of CPU (the hop to the
 * thread pool and back) against 25–40 µs, and `get -r` of 1,000 files went
 * 693 → 851 files/s (docs/PERFORMANCE.md).
 */
function createEmpty(partial: string): Deno.FsFile {
  return Deno.openSync(partial, { write: true, create: true, truncate: true });
}

/** Moves the verified partial into place; returns where it landed. */
function place(partial: string, local: string, options: FileTransferOptions): string {
  if (options.policy === "force") {
    Deno.renameSync(partial, local);
    return local;
  }
  const slash = local.lastIndexOf("/");
  const folder = local.slice(0, slash + 1);
  const name = local.slice(slash + 1);
  const tries = options.policy === "rename" ? MAX_KEEP_BOTH : 0;
  for (let n = 0; n <= tries; n++) {
    const candidate = n === 0 ? local : folder + keepBothName(name, n);
    try {
      Deno.linkSync(partial, candidate); // never replaces a file that appeared meanwhile
      Deno.removeSync(partial);
      return candidate;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw localError(error, candidate);
    }
  }
  throw existsError("local", local);
}

/** Sets a downloaded file's times to the remote file's mtime (best effort). */
function setMtime(path: string, mtime: number): void {
  try {
    Deno.utimeSync(path, new Date(mtime), new Date(mtime));
  } catch {
    // a file system without times: the bytes are what counts
  }
}

/** Removes a local file if it is there (best effort). */
function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // already gone
  }
}

/** Thrown when a file fetched as plain turns out to be encrypted: fetch it again, decrypting. */
class LooksEncrypted extends Error {}

/**
 * A write callback that first checks the file's opening bytes: an encrypted
 * file (its magic) stops the download with {@linkcode LooksEncrypted}.
 */
function refusingEncrypted(
  write: (chunk: Uint8Array) => Promise<void>,
): (chunk: Uint8Array) => Promise<void> {
  let head: Uint8Array | undefined = new Uint8Array(0);
  return async (chunk: Uint8Array): Promise<void> => {
    if (head !== undefined) {
      const more = chunk.subarray(0, ENCRYPTED_MAGIC.byteLength - head.byteLength);
      head = new Uint8Array([...head, ...more]);
      if (head.byteLength >= ENCRYPTED_MAGIC.byteLength) {
        if (isEncryptedFile(head)) throw new LooksEncrypted();
        head = undefined;
      }
    }
    await write(chunk);
  };
}

/**
 * Downloads the stored bytes as they are into `partial`, continuing it when
 * `resume`. With `plainOnly`, an encrypted file stops it with
 * {@linkcode LooksEncrypted} before any byte is written.
 */
async function receiveStored(
  client: FerryClient,
  remote: string,
  partial: string,
  options: FileTransferOptions,
  resume: boolean,
  plainOnly = false,
): Promise<TransferResult> {
  const { file, offset, hash } = await openPartial(partial, resume);
  // Plain direct writes, no stream per file (many small files pay for every
  // step), gathered into fewer writes for a big one.
  const out = new BufferedFileWriter(file, { direct: LOCAL_DIRECT_IO });
  const write = async (chunk: Uint8Array): Promise<void> => {
    try {
      await out.write(chunk);
    } catch (error) {
      throw localError(error, partial); // a full disk names the file, not its partial
    }
  };
  let result: TransferResult;
  try {
    result = await client.download(remote, plainOnly ? refusingEncrypted(write) : write, {
      offset,
      hash,
      compress: options.compress ?? false,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
  } catch (error) {
    await out.flush().catch(() => {}); // what arrived is kept for a resume
    file.close();
    const useless = isFerryError(error, "integrity") || localInfo(partial)?.size === 0;
    if (useless) removeQuietly(partial);
    throw error;
  }
  try {
    await out.flush();
  } catch (error) {
    throw localError(error, partial);
  } finally {
    file.close();
  }
  return result;
}

/**
 * Picks how to fetch: as stored (`--raw`, or continuing the stored bytes of a
 * plain file), or decrypting (from 0, or continuing an encrypted download).
 */
async function receive(
  client: FerryClient,
  remote: string,
  partial: string,
  options: FileTransferOptions,
  resume: boolean,
): Promise<TransferResult> {
  const state = resume && !options.knownFree ? partialState(partial) : "none";
  const { keys } = options;
  if (!keys) {
    // A partial of decrypted plaintext cannot continue as stored bytes.
    if (state !== "stored" && !options.knownFree) discardPartial(partial);
    return await receiveStored(client, remote, partial, options, state === "stored");
  }
  if (state === "stored" && await resumableAsStored(partial, keys)) {
    return await receiveStored(client, remote, partial, options, true);
  }
  // A file the server did not mark as encrypted is fetched as stored, with no
  // decrypting pipeline (the bulk of a small file's cost), unless its first
  // bytes say it is encrypted after all: then it is fetched again, decrypting.
  if (state !== "decrypted" && !options.remoteEncrypted && !keys.requireEncrypted) {
    try {
      return await receiveStored(client, remote, partial, options, false, true);
    } catch (error) {
      if (!(error instanceof LooksEncrypted)) throw error;
    }
  }
  return await receiveDecrypting(client, remote, partial, {
    keys,
    resume: state === "decrypted",
    compress: options.compress ?? false,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}

/**
 * `get --verify`: reads the saved bytes back and checks them against the
 * SHA-256 verified on arrival (a local disk or file system that did not keep
 * what was written). On a mismatch nothing is left.
 */
async function verifySaved(partial: string, local: string, sha256: string): Promise<void> {
  const read = await sha256OfLocalFile(partial);
  if ((corruptVerifyHook()?.(read) ?? read) === sha256) return;
  removeQuietly(partial);
  throw new FerryError(
    "integrity",
    `Cannot verify "${local}": the saved file does not match the SHA-256 received (--verify); nothing was saved`,
  );
}

async function fetchOnce(
  client: FerryClient,
  remote: string,
  local: string,
  options: FileTransferOptions,
  resume: boolean,
): Promise<TransferResult> {
  const partial = local + PARTIAL_SUFFIX;
  const result = await receive(client, remote, partial, options, resume);
  if (options.verify && !result.encrypted) await verifySaved(partial, local, result.sha256);
  const placed = place(partial, local, options);
  if (result.encrypted) removeQuietly(partial + KEPT_HEADER_SUFFIX);
  if (result.entry.mtime > 0) setMtime(placed, result.entry.mtime);
  return { ...result, path: placed };
}

/**
 * Downloads `remote` into `local`.
 *
 * - A `local.ferry-part` left by an interrupted download is resumed (unless
 *   `resume` is false): its bytes are hashed locally and only the rest is
 *   fetched. If the file changed on the server meanwhile, the final SHA-256
 *   check fails and the download starts over once from byte 0.
 * - An existing `local` with the same SHA-256 as the remote file is skipped
 *   (except with `force`); with other content it is refused, replaced or
 *   kept beside the new one, by `policy`.
 * - With `keys`, an encrypted file is decrypted (`docs/ENCRYPTION.md`): only
 *   verified plaintext reaches the partial file, and a wrong key or a
 *   damaged file leaves nothing behind. Without them, files are saved as
 *   stored.
 *
 * @returns What was fetched (its `path` is where it landed), or why nothing needed to be.
 */
export async function downloadFile(
  client: FerryClient,
  remote: string,
  local: string,
  options: FileTransferOptions = {},
): Promise<TransferResult | Skipped> {
  const existing = options.knownFree ? undefined : localInfo(local);
  if (existing?.isDirectory) {
    throw new FerryError("local_io", `Cannot download to "${local}": it is a folder`);
  }
  if (existing && options.policy !== "force") {
    const { entry, sha256 } = await client.statWithHash(remote);
    if (entry.kind === "file" && sha256 === await sha256OfLocalFile(local)) {
      return { skipped: "identical", path: local, sha256, size: entry.size };
    }
    // An encrypted remote file's hash is the ciphertext's: no comparison is possible.
    if (options.policy !== "rename") throw existsError("local", local, !entry.encrypted);
  }
  const resume = options.resume ?? true;
  try {
    return await fetchOnce(client, remote, local, options, resume);
  } catch (error) {
    // A server copy that changed since its upload would only come again.
    const stale = (isFerryError(error, "integrity") && !(error instanceof ServerCopyChanged)) ||
      isFerryError(error, "bad_request");
    if (stale && resume) {
      return { ...await fetchOnce(client, remote, local, options, false), restarted: true };
    }
    throw error;
  }
}
