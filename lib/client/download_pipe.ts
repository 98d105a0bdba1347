/**
 * A download read as a stream, so it can run through a decrypting transform
 * on its way to a file or to stdout, and the decryption errors that name the
 * remote file.
 *
 * @module
 */

import { FerryError } from "../core/errors.ts";
import { autoDecrypt, FileCryptoError, isFileCryptoError } from "../file_crypto/mod.ts";
import type { DownloadOptions, FerryClient, TransferResult } from "./ferry_client.ts";
import type { FileKeys } from "./file_keys.ts";

/**
 * Downloads `remote` and hands its bytes, as a stream with backpressure, to
 * `consume`. Both must finish for the download to count: the server's
 * SHA-256 is checked before the stream ends, so a decrypting consumer sees
 * the end of its input only after the whole file was verified. A failure on
 * either side stops the other. A decryption error wins over the failed
 * download it causes.
 *
 * @param client The connection.
 * @param remote The remote path.
 * @param options Offset, hash, compression, progress.
 * @param consume Reads the file's bytes (from `options.offset`) to their end.
 * @returns The verified download.
 */
export async function downloadThrough(
  client: FerryClient,
  remote: string,
  options: DownloadOptions,
  consume: (bytes: ReadableStream<Uint8Array>) => Promise<void>,
): Promise<TransferResult> {
  const pipe = new TransformStream<Uint8Array, Uint8Array>();
  const writer = pipe.writable.getWriter();
  const consumed = consume(pipe.readable);
  consumed.catch((error) => writer.abort(error).catch(() => {}));
  const downloaded = (async (): Promise<TransferResult> => {
    try {
      const result = await client.download(remote, (chunk) => writer.write(chunk), options);
      await writer.close();
      return result;
    } catch (error) {
      await writer.abort(error).catch(() => {});
      throw error;
    }
  })();
  const [received, written] = await Promise.allSettled([downloaded, consumed]);
  // The consumer's own refusal (a crypto error, `get -` refusing binary) is the cause.
  if (
    written.status === "rejected" &&
    (isFileCryptoError(written.reason) || written.reason instanceof FerryError)
  ) throw written.reason;
  if (received.status === "rejected") throw received.reason;
  if (written.status === "rejected") throw written.reason;
  return received.value;
}

/**
 * Puts the remote path into a decryption error (`Cannot decrypt "a.bin": wrong
 * passphrase`), keeping its reason and code; other errors pass unchanged.
 *
 * @param error Anything caught.
 * @param remote The remote path.
 * @returns The error to report.
 */
export function namedCryptoError(error: unknown, remote: string): unknown {
  if (!isFileCryptoError(error) || !error.message.startsWith("Cannot decrypt")) return error;
  const rest = error.message.slice("Cannot decrypt".length).replace(/^:? /, "");
  return new FileCryptoError(error.reason, `Cannot decrypt "${remote}": ${rest}`, {
    cause: error,
  });
}

/**
 * Downloads `remote` into `sink`, decrypted when it is encrypted (the keys
 * are asked for only then), as it is (or refused with `requireEncrypted`)
 * when not. Verified plaintext reaches `sink` chunk by chunk; on an error
 * some may have, so a file sink must be a partial file.
 *
 * @param client The connection.
 * @param remote The remote path.
 * @param keys The keys of this command.
 * @param options Compression and progress (from offset 0).
 * @param sink Where the plaintext goes, opened once the file's kind is known.
 * @returns The verified download, `encrypted` when it was decrypted.
 * @throws {FileCryptoError} naming `remote`, for a wrong key or a damaged file.
 */
export async function downloadDecrypting(
  client: FerryClient,
  remote: string,
  keys: FileKeys,
  options: DownloadOptions,
  sink: {
    /** Where the plaintext goes, once the file's kind is known. */
    open(encrypted: boolean): Promise<WritableStream<Uint8Array>> | WritableStream<Uint8Array>;
    /** Options of the pipe into it. */
    pipe?: StreamPipeOptions;
    /** Called with the header before the key is asked for (to keep it for a resume). */
    onHeader?: (header: Uint8Array) => Promise<void>;
  },
): Promise<TransferResult> {
  let encrypted = false;
  try {
    const result = await downloadThrough(client, remote, options, async (bytes) => {
      const found = await autoDecrypt(bytes, async (header) => {
        await sink.onHeader?.(header.bytes);
        return await keys.resolver(header);
      }, { requireEncrypted: keys.requireEncrypted });
      encrypted = found.encrypted;
      await found.readable.pipeTo(await sink.open(encrypted), sink.pipe);
    });
    return encrypted ? { ...result, encrypted: true } : result;
  } catch (error) {
    throw namedCryptoError(error, remote);
  }
}
