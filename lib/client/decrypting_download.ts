/**
 * `get` of a file that may be encrypted: the plaintext goes into the partial
 * file (`NAME.ferry-part`), never anything unverified, and an interrupted
 * download of an encrypted file resumes at a chunk boundary with the header
 * kept beside the partial (`NAME.ferry-part.header`, `docs/ENCRYPTION.md` §5).
 *
 * @module
 */

import { createHash, type Hash } from "node:crypto";
import { isFerryError } from "../core/errors.ts";
import { writeAll } from "../core/bytes.ts";
import {
  chunkBoundaryForPlaintextOffset,
  createDecryptStream,
  createEncryptStream,
  isEncryptedFile,
  isFileCryptoError,
  type UnlockedHeader,
} from "../file_crypto/mod.ts";
import { downloadDecrypting, downloadThrough, namedCryptoError } from "./download_pipe.ts";
import type { DownloadOptions, FerryClient, TransferResult } from "./ferry_client.ts";
import type { FileKeys } from "./file_keys.ts";
import { localError } from "./local_files.ts";

/** The suffix, after the partial file's name, of the header kept for a resume. */
export const KEPT_HEADER_SUFFIX = ".header";

/** What an interrupted download left behind. */
export type PartialState =
  /** Nothing to resume. */
  | "none"
  /** Verified plaintext of an encrypted file, with its header kept. */
  | "decrypted"
  /** The file's bytes as stored (a plain file, or `get --raw`). */
  | "stored";

/** Options of {@linkcode receiveDecrypting}. */
export interface DecryptingOptions {
  /** The keys of this command. */
  keys: FileKeys;
  /** Resume a partial download of an encrypted file. */
  resume: boolean;
  /** Ask the server to compress. */
  compress: boolean;
  /** Called with bytes done and total (of the stored file). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The size of a local file, or `undefined` when it is missing. Local metadata
 * calls are direct: 1–6 µs, against 7–17 µs of CPU as async ops, which
 * counts for 1,000 small files (docs/PERFORMANCE.md).
 */
function sizeOf(path: string): number | undefined {
  try {
    return Deno.statSync(path).size;
  } catch {
    return undefined;
  }
}

/**
 * Tells what an interrupted download left at `partial`.
 *
 * @param partial The partial file.
 * @returns Its state.
 */
export function partialState(partial: string): PartialState {
  const size = sizeOf(partial);
  if (!size) return "none";
  return sizeOf(partial + KEPT_HEADER_SUFFIX) === undefined ? "stored" : "decrypted";
}

/**
 * Whether a partial of stored bytes can be continued without decrypting: it
 * must hold the start of a plain file (an encrypted one starts with the
 * magic), and encryption must not be required.
 *
 * @param partial The partial file, in state `"stored"`.
 * @param keys The keys of this command.
 * @returns `true` when it can be continued as it is.
 */
export async function resumableAsStored(partial: string, keys: FileKeys): Promise<boolean> {
  if (keys.requireEncrypted) return false;
  try {
    using file = await Deno.open(partial, { read: true });
    const head = new Uint8Array(8);
    let length = 0;
    for (let n: number | null = 0; n !== null && length < head.length; length += n ?? 0) {
      n = await file.read(head.subarray(length));
    }
    return length === head.length && !isEncryptedFile(head);
  } catch {
    return false;
  }
}

/**
 * Deletes a partial download and its kept header.
 *
 * @param partial The partial file.
 */
export function discardPartial(partial: string): void {
  for (const path of [partial, partial + KEPT_HEADER_SUFFIX]) {
    try {
      Deno.removeSync(path);
    } catch {
      // already gone, or never there
    }
  }
}

/** A partial file opened only on the first write, so a refused file leaves nothing. */
function lazyFile(path: string, append: boolean): WritableStream<Uint8Array> {
  let file: Deno.FsFile | undefined;
  async function open(): Promise<Deno.FsFile> {
    try {
      file ??= await Deno.open(
        path,
        append ? { append: true } : {
          write: true,
          create: true,
          truncate: true,
        },
      );
    } catch (error) {
      throw localError(error, path);
    }
    return file;
  }
  return new WritableStream<Uint8Array>({
    async write(chunk): Promise<void> {
      await writeAll(await open(), chunk);
    },
    async close(): Promise<void> {
      (await open()).close();
    },
    abort(): void {
      file?.close();
    },
  });
}

/**
 * Downloads `remote` from byte 0 into `partial`, decrypting it when it is
 * encrypted. On a decryption error or a failed hash the partial is deleted;
 * on another failure it is kept (with the header, for an encrypted file)
 * unless empty.
 */
async function receiveFresh(
  client: FerryClient,
  remote: string,
  partial: string,
  options: DecryptingOptions,
): Promise<TransferResult> {
  discardPartial(partial);
  const download: DownloadOptions = {
    compress: options.compress,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  try {
    return await downloadDecrypting(client, remote, options.keys, download, {
      open: () => lazyFile(partial, false),
      onHeader: async (header) => {
        try {
          await Deno.writeFile(partial + KEPT_HEADER_SUFFIX, header, { mode: 0o600 });
        } catch (error) {
          throw localError(error, partial + KEPT_HEADER_SUFFIX);
        }
      },
    });
  } catch (error) {
    if (isFileCryptoError(error) || isFerryError(error, "integrity") || !sizeOf(partial)) {
      discardPartial(partial);
    }
    throw error;
  }
}

/** Re-encrypts the verified plaintext of `partial` with `header`: the hash of the stored bytes so far. */
async function hashOfKept(
  partial: string,
  header: UnlockedHeader,
): Promise<{ hash: Hash; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    const file = await Deno.open(partial, { read: true });
    const encrypted = file.readable.pipeThrough(createEncryptStream(header, { prefix: true }));
    for await (const piece of encrypted) {
      hash.update(piece);
      bytes += piece.byteLength;
    }
  } catch (error) {
    throw localError(error, partial);
  }
  return { hash, bytes };
}

/**
 * Continues an interrupted download of an encrypted file: unlocks the kept
 * header, cuts the partial back to the last whole chunk, feeds the hash by
 * re-encrypting it, and fetches and decrypts the rest. If the remote file
 * changed meanwhile (a chunk fails), starts over once from byte 0.
 */
async function receiveResumed(
  client: FerryClient,
  remote: string,
  partial: string,
  options: DecryptingOptions,
): Promise<TransferResult> {
  let header: UnlockedHeader;
  try {
    header = await options.keys.unlock(await Deno.readFile(partial + KEPT_HEADER_SUFFIX));
  } catch (error) {
    // A wrong key keeps the partial for the right one; a damaged kept header does not.
    if (isFileCryptoError(error, "wrong_key")) throw namedCryptoError(error, remote);
    if (!isFileCryptoError(error) && !(error instanceof Deno.errors.NotFound)) throw error;
    return await receiveFresh(client, remote, partial, options);
  }
  const at = chunkBoundaryForPlaintextOffset(sizeOf(partial) ?? 0, header);
  if (at.chunk === 0) return await receiveFresh(client, remote, partial, options);
  await Deno.truncate(partial, at.plainOffset).catch((error) => {
    throw localError(error, partial);
  });
  const kept = await hashOfKept(partial, header);
  if (kept.bytes !== at.cipherOffset) return await receiveFresh(client, remote, partial, options);
  const download: DownloadOptions = {
    offset: at.cipherOffset,
    hash: kept.hash,
    compress: options.compress,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
  try {
    const result = await downloadThrough(client, remote, download, async (bytes) => {
      const plaintext = bytes.pipeThrough(createDecryptStream(header, { startChunk: at.chunk }));
      await plaintext.pipeTo(lazyFile(partial, true));
    });
    return { ...result, encrypted: true };
  } catch (error) {
    if (isFileCryptoError(error)) return await receiveFresh(client, remote, partial, options);
    if (isFerryError(error, "integrity")) discardPartial(partial);
    throw error;
  }
}

/**
 * Downloads `remote` into `partial` and decrypts it if it is encrypted:
 * resumes the verified plaintext of an interrupted encrypted download when
 * `resume` and a kept header allow, else starts from byte 0.
 *
 * @param client The connection.
 * @param remote The remote path.
 * @param partial The partial file (`NAME.ferry-part`).
 * @param options Keys, resume, compression, progress.
 * @returns The verified download (`encrypted` when decrypted); `partial` then
 *   holds the whole plaintext.
 * @throws {FileCryptoError} naming `remote`, for a wrong key or a damaged
 *   file; nothing is left on disk then.
 */
export async function receiveDecrypting(
  client: FerryClient,
  remote: string,
  partial: string,
  options: DecryptingOptions,
): Promise<TransferResult> {
  if (options.resume && partialState(partial) === "decrypted") {
    return await receiveResumed(client, remote, partial, options);
  }
  return await receiveFresh(client, remote, partial, options);
}
