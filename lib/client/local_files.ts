/**
 * Transfers between local files and the server: downloads land in a
 * partial file beside the target and are renamed into place only once the
 * SHA-256 checked out; uploads stream straight from the file.
 *
 * @module
 */

import { FerryError } from "../errors.ts";
import type { FerryClient, TransferResult } from "./ferry_client.ts";

/** The suffix of a download in progress. */
export const PARTIAL_SUFFIX = ".ferry-part";

/** Options of {@linkcode downloadToFile} and {@linkcode uploadFile}. */
export interface LocalTransferOptions {
  /** Replace an existing file. */
  force?: boolean;
  /** Called with bytes done and total. */
  onProgress?: (done: number, total: number) => void;
}

async function localStat(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw localError(error, path);
  }
}

/** Turns a local file system failure into a clear {@linkcode FerryError}. */
export function localError(error: unknown, path: string): unknown {
  if (error instanceof FerryError) return error;
  if (error instanceof Deno.errors.NotFound) {
    return new FerryError("local_io", `Cannot open "${path}": no such file or folder`);
  }
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new FerryError("local_io", `Cannot access "${path}": ${(error as Error).message}`);
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return new FerryError("local_io", `Cannot open "${path}": it is a folder`);
  }
  return error;
}

/**
 * Downloads `remote` into the local file `local`.
 *
 * @throws {FerryError} `exists` when `local` exists and `force` is not set.
 */
export async function downloadToFile(
  client: FerryClient,
  remote: string,
  local: string,
  options: LocalTransferOptions = {},
): Promise<TransferResult> {
  const existing = await localStat(local);
  if (existing?.isDirectory) {
    throw new FerryError("local_io", `Cannot download to "${local}": it is a folder`);
  }
  if (existing && !options.force) {
    throw new FerryError("exists", `Cannot download to "${local}": the file exists (use --force)`);
  }
  const partial = local + PARTIAL_SUFFIX;
  let file: Deno.FsFile;
  try {
    file = await Deno.open(partial, { write: true, create: true, truncate: true });
  } catch (error) {
    throw localError(error, partial);
  }
  const writer = file.writable.getWriter();
  let written = 0;
  try {
    const result = await client.download(remote, async (chunk) => {
      await writer.write(chunk);
      written += chunk.byteLength;
    }, options.onProgress ? { onProgress: options.onProgress } : {});
    await writer.close();
    await Deno.rename(partial, local);
    if (result.entry.mtime > 0) {
      const mtime = new Date(result.entry.mtime);
      await Deno.utime(local, mtime, mtime).catch(() => {});
    }
    return result;
  } catch (error) {
    await writer.abort().catch(() => {});
    const worthKeeping = written > 0 &&
      !(error instanceof FerryError && error.code === "integrity");
    if (!worthKeeping) await Deno.remove(partial).catch(() => {});
    throw error;
  }
}

/**
 * Downloads `remote` to standard output, as it arrives. The hash is checked
 * at the end; a mismatch is an `integrity` error after the bytes went out,
 * so a pipeline must check the exit code.
 */
export async function downloadToStdout(
  client: FerryClient,
  remote: string,
  options: LocalTransferOptions = {},
): Promise<TransferResult> {
  const writer = Deno.stdout.writable.getWriter();
  try {
    return await client.download(
      remote,
      (chunk) => writer.write(chunk),
      options.onProgress ? { onProgress: options.onProgress } : {},
    );
  } finally {
    writer.releaseLock();
  }
}

/**
 * Uploads the local file `local` to `remote`.
 *
 * @throws {FerryError} `local_io` when `local` is not a readable file.
 */
export async function uploadFile(
  client: FerryClient,
  local: string,
  remote: string,
  options: LocalTransferOptions = {},
): Promise<TransferResult> {
  let file: Deno.FsFile;
  let info: Deno.FileInfo;
  try {
    file = await Deno.open(local, { read: true });
    info = await file.stat();
  } catch (error) {
    throw localError(error, local);
  }
  if (!info.isFile) {
    file.close();
    throw new FerryError("local_io", `Cannot upload "${local}": it is not a file`);
  }
  return await client.upload(file.readable, remote, {
    size: info.size,
    force: options.force ?? false,
    ...(info.mtime ? { mtime: info.mtime.getTime() } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
}
