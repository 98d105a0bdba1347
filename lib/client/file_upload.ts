/**
 * Uploading one local file: resume by default, the overwrite policy, and a
 * skip when the server already has the same bytes.
 *
 * @module
 */

import { FerryError, isFerryError } from "../core/errors.ts";
import {
  existsError,
  type FileTransferOptions,
  sha256OfLocalFile,
  type Skipped,
} from "./conflict_policy.ts";
import { identicalEncrypted } from "./encrypted_compare.ts";
import { type EncryptedSource, encryptForUpload } from "./encrypted_upload.ts";
import type { FerryClient, TransferResult } from "./ferry_client.ts";
import { LOCAL_DIRECT_IO, localError } from "./local_files.ts";
import { fileByteSource } from "../local_fs/file_byte_source.ts";
import { type ByteInput, memoryByteSource } from "../core/byte_source.ts";
import { checkSourceUnchanged, stampOf } from "./transfer_checks.ts";

async function remoteHashIfFile(client: FerryClient, remote: string): Promise<string | undefined> {
  try {
    const { entry, sha256 } = await client.statWithHash(remote);
    if (entry.kind === "dir") {
      throw new FerryError("is_directory", `Cannot upload to "${remote}": it is a folder`);
    }
    return sha256;
  } catch (error) {
    if (isFerryError(error, "not_found")) return undefined;
    throw error;
  }
}

/**
 * Files up to this size are read in one direct call rather than streamed:
 * for 1,000 small files, the open, reads and close as async ops cost more
 * than sending them (docs/PERFORMANCE.md).
 */
const READ_WHOLE_MAX_BYTES = 64 * 1024;

/** A small local file's bytes, read at once (it is a regular file: checked). */
function readSmallFile(local: string): Uint8Array {
  return Deno.readFileSync(local);
}

/** The local file's metadata, with a clear error when it is missing or not a file. */
function statLocalFile(local: string): Deno.FileInfo {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(local);
  } catch (error) {
    throw localError(error, local);
  }
  if (!info.isFile) throw new FerryError("local_io", `Cannot upload "${local}": it is not a file`);
  return info;
}

/**
 * The bytes of a file sent as it is: read at once when small, else chunk by
 * chunk with direct reads (see {@linkcode fileByteSource}).
 */
async function plainSource(
  local: string,
  info: Deno.FileInfo,
): Promise<{ source: ByteInput; size: number }> {
  try {
    if (info.size <= READ_WHOLE_MAX_BYTES) {
      const bytes = readSmallFile(local);
      return { source: memoryByteSource(bytes), size: bytes.byteLength };
    }
    const file = await Deno.open(local, { read: true });
    let size: number;
    try {
      size = (await file.stat()).size;
    } catch (error) {
      file.close();
      throw error;
    }
    return {
      source: fileByteSource(file, {
        direct: LOCAL_DIRECT_IO,
        explain: (error) => localError(error, local),
      }),
      size,
    };
  } catch (error) {
    throw localError(error, local);
  }
}

async function sendOnce(
  client: FerryClient,
  local: string,
  remote: string,
  options: FileTransferOptions,
  resume: boolean,
  sha256?: string,
): Promise<TransferResult | Skipped> {
  const info = statLocalFile(local);
  const stamp = stampOf(info);
  const common = {
    force: options.policy === "force",
    rename: options.policy === "rename",
    ...(info.mtime ? { mtime: info.mtime.getTime() } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.verify ? { verify: true } : {}),
    // The client does not hash by default: a file changed while read must not commit.
    beforeEnd: () => checkSourceUnchanged(local, stamp),
  };
  if (!options.encryption) {
    const { source, size } = await plainSource(local, info);
    const upload = { ...common, size, resume, compress: options.compress ?? false };
    return sha256 === undefined
      ? await client.upload(source, remote, upload)
      : await client.upload(source, remote, { ...upload, sha256 });
  }
  let file: Deno.FsFile;
  try {
    file = await Deno.open(local, { read: true });
  } catch (error) {
    throw localError(error, local);
  }
  let source: EncryptedSource;
  try {
    source = await encryptForUpload(file, info, local, remote, options.encryption, resume);
  } catch (error) {
    file.close();
    throw error;
  }
  // Ciphertext does not compress: per-chunk compression would only cost time.
  const upload = { ...common, size: source.size, resume: source.resume, compress: false };
  try {
    const result = await client.upload(source.readable, remote, upload);
    await source.settle();
    return { ...result, encrypted: true };
  } catch (error) {
    await source.settle(error);
    throw error;
  }
}

/**
 * Uploads `local` to `remote`.
 *
 * - The server resumes a partial upload of the same file (same path, size
 *   and modification time) unless `resume` is false; if the resumed file
 *   then fails its SHA-256 check, the upload starts over once from byte 0.
 * - An existing remote file with the same SHA-256 is skipped (except with
 *   `force`); with other content it is refused (`exists`), replaced
 *   (`force`) or kept beside the new one (`rename`). A server with
 *   `put-sha256` tells "identical" from the upload request itself (no
 *   `stat`, so a user without the `list` permission gets it too): `refuse`
 *   sends the SHA-256 only after an `exists` (a new file is not read twice),
 *   `rename` with its one request.
 * - With `encryption`, the server gets only ciphertext (`docs/ENCRYPTION.md`);
 *   an interrupted encrypted upload resumes with the header it started with.
 *   A remote file counts as identical when the local file, encrypted under
 *   the remote file's own header, has its SHA-256.
 *
 * @returns What was sent, or why nothing needed to be.
 */
export async function uploadFile(
  client: FerryClient,
  local: string,
  remote: string,
  options: FileTransferOptions = {},
): Promise<TransferResult | Skipped> {
  const policy = options.policy ?? "refuse";
  const resume = options.resume ?? true;
  if (!options.encryption && policy !== "force" && client.hasFeature("put-sha256")) {
    return await uploadTellingIdentical(client, local, remote, options, resume);
  }
  const same = (): Promise<Skipped | undefined> =>
    options.encryption
      ? identicalEncrypted(client, local, remote, options.encryption.keys)
      : identical(client, local, remote);
  if (policy === "rename") {
    const skipped = await same();
    if (skipped) return skipped;
  }
  try {
    return await sendOnce(client, local, remote, options, resume);
  } catch (error) {
    if (isFerryError(error, "exists") && policy === "refuse") {
      const skipped = await same();
      if (skipped) return skipped;
      throw existsError("remote", remote);
    }
    if (isFerryError(error, "integrity") && resume) {
      return { ...await sendOnce(client, local, remote, options, false), restarted: true };
    }
    throw error;
  }
}

/** `uploadFile` against a server that says "identical" itself (`put-sha256`). */
async function uploadTellingIdentical(
  client: FerryClient,
  local: string,
  remote: string,
  options: FileTransferOptions,
  resume: boolean,
): Promise<TransferResult | Skipped> {
  const send = async (sha256?: string): Promise<TransferResult | Skipped> => {
    try {
      return await sendOnce(client, local, remote, options, resume, sha256);
    } catch (error) {
      if (!isFerryError(error, "integrity") || !resume) throw error;
      return await sendOnce(client, local, remote, options, false, sha256);
    }
  };
  if (options.policy === "rename") {
    // The hash is read only when it can tell: a path that holds no file of this size cannot match.
    const hashed = await mayBeIdentical(client, local, remote);
    return await send(hashed ? await sha256OfLocalFile(local) : undefined);
  }
  try {
    return await send();
  } catch (error) {
    if (!isFerryError(error, "exists")) throw error;
  }
  try {
    return await send(await sha256OfLocalFile(local));
  } catch (error) {
    if (isFerryError(error, "exists")) throw existsError("remote", remote);
    throw error;
  }
}

/**
 * Whether `remote` may hold the same bytes as `local`, as cheaply as can be
 * told: a small file is worth hashing at once (less than the round trip of
 * a `stat`); a big one only when the remote path holds a file of its size
 * (or cannot be looked at: a user without `list`).
 */
async function mayBeIdentical(
  client: FerryClient,
  local: string,
  remote: string,
): Promise<boolean> {
  const size = statLocalFile(local).size;
  if (size <= READ_WHOLE_MAX_BYTES) return true;
  try {
    const entry = await client.stat(remote);
    return entry.kind === "file" && entry.size === size;
  } catch (error) {
    if (isFerryError(error, "not_found")) return false;
    if (isFerryError(error, "denied")) return true;
    throw error;
  }
}

async function identical(
  client: FerryClient,
  local: string,
  remote: string,
): Promise<Skipped | undefined> {
  const theirs = await remoteHashIfFile(client, remote);
  if (theirs === undefined) return undefined;
  const ours = await sha256OfLocalFile(local);
  if (ours !== theirs) return undefined;
  const size = (await Deno.stat(local)).size;
  return { skipped: "identical", path: remote, sha256: ours, size };
}
